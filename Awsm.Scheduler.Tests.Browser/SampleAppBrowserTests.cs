using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>The visible sample and the page-side integration: responsiveness, dotnet.js discovery, CSP, worker factory, handover.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleAppBrowserTests : IDisposable
{
    private readonly BrowserFixture _fx;

    public SampleAppBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
    {
        _fx = fixture;
        _fx.Output = output;
    }

    public void Dispose() => _fx.Output = null;

    [Fact]
    public async Task Render_AllWorkersBusy_PageKeepsAnimatingAndPaintsEveryTile()
    {
        await _fx.CallAsync("() => { window.awsm.startFrameProbe(); return true; }");
        JsonElement run = await _fx.CallAsync("() => window.awsm.render({ workers: 2, strategy: 'least-busy', iterations: 2500, zoom: 40 })", 120);
        JsonElement frames = await _fx.CallAsync("() => window.awsm.stopFrameProbe()");
        JsonElement stats = await _fx.CallAsync("() => window.awsm.stats()");
        _fx.Log($"render: {run}");
        _fx.Log($"frames during the render: {frames}");
        _fx.Log($"pool stats: {stats}");
        string screenshot = await _fx.ScreenshotAsync(_fx.Page, "sample-after-render.png");

        Assert.True(run.GetProperty("ok").GetBoolean(), run.ToString());
        Assert.Equal(96, run.GetProperty("tiles").GetInt32());
        Assert.Equal(96, stats.GetProperty("completed").GetInt64());
        Assert.Equal(2, stats.GetProperty("workersAlive").GetInt32());
        Assert.True(File.Exists(screenshot));

        // The workers were busy for the whole run, and the page's requestAnimationFrame loop kept going.
        double durationMs = frames.GetProperty("durationMs").GetDouble();
        Assert.True(run.GetProperty("ms").GetDouble() > 500, $"the run was too short to prove anything: {run}");
        Assert.True(frames.GetProperty("fps").GetDouble() >= 20, $"the page stuttered while the workers were busy: {frames}");
        Assert.True(frames.GetProperty("maxGapMs").GetDouble() < 500, $"the page froze while the workers were busy: {frames}");
        Assert.True(durationMs > 0, frames.ToString());
    }

    [Fact]
    public async Task StartAsync_PageContentSecurityPolicyRefusesBlobWorkers_FailsWithAClearInitError()
    {
        IPage page = await _fx.OpenPageAsync("csp.html");
        try
        {
            JsonElement r = await _fx.CallAsync(page, "() => window.awsm.e2e.startFailure()", 60);
            _fx.Log($"csp: {r}");
            Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            Assert.Contains("Content-Security-Policy", r.GetProperty("reason").GetString()!, StringComparison.Ordinal);
            Assert.Contains("blob:", r.GetProperty("reason").GetString()!, StringComparison.Ordinal);
        }
        finally
        {
            await page.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task StartAsync_ImportMapMapsDotnetJs_WorkersImportTheMappedUrl()
    {
        // A Blazor app fingerprints dotnet.js and maps it in an import map, which workers do not see.
        IPage page = await _fx.OpenPageAsync(string.Empty);
        try
        {
            JsonElement r = await _fx.CallAsync(page, @"async () => {
                const el = document.createElement('script');
                el.type = 'importmap';
                el.textContent = JSON.stringify({ imports: { './_framework/dotnet.js': './_framework/dotnet.js?fingerprint=abc123' } });
                document.head.appendChild(el);
                return await window.awsm.e2e.startAndReportUrl();
            }", 60);
            _fx.Log($"import map: {r}");
            Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            Assert.Equal(new Uri(_fx.BaseUri, "_framework/dotnet.js?fingerprint=abc123").ToString(), r.GetProperty("dotnetUrl").GetString());
        }
        finally
        {
            await page.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task StartAsync_WithoutImportMap_WorkersImportTheDotnetJsThePageLoaded()
    {
        JsonElement r = await _fx.CallAsync("() => window.awsm.e2e.startAndReportUrl()");
        _fx.Log($"auto: {r}");
        Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
        Assert.Equal(new Uri(_fx.BaseUri, "_framework/dotnet.js").ToString(), r.GetProperty("dotnetUrl").GetString());
    }

    [Fact]
    public async Task StartAsync_CustomWorkerFactory_CreatesTheWorkers()
    {
        int before = await _fx.Page.EvaluateAsync<int>("() => window.awsmFactoryCalls").WaitAsync(TimeSpan.FromSeconds(10));
        JsonElement r = await _fx.CallAsync("() => window.awsm.e2e.startAndReportUrl('awsmSampleFactory')");
        int after = await _fx.Page.EvaluateAsync<int>("() => window.awsmFactoryCalls").WaitAsync(TimeSpan.FromSeconds(10));
        _fx.Log($"factory: {r}; calls {before} -> {after}");
        Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task StartAsync_HandOverResources_WorkerLoadsTheRuntimeFromThePage()
    {
        JsonElement r = await _fx.CallAsync("() => window.awsm.e2e.measureStart(1, true)");
        _fx.Log($"handover: {r}");
        JsonElement timings = r.GetProperty("timings")[0];
        Assert.True(timings.GetProperty("resourcesHandedOver").GetInt32() > 0, r.ToString());
        Assert.True(timings.GetProperty("servedFromHandover").GetInt32() > 0, r.ToString());
    }
}
