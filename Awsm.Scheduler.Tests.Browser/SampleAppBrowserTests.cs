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
    public async Task Render_LongTiles_ShowsTileProgressBeforeTheRenderEndsAndEveryTileDoneAfter()
    {
        // 5,000 iterations in the seahorse valley: the tiles near the centre hold many points inside the set (each runs
        // all its iterations), so such a tile computes for several hundred ms in a worker (the longest took 1.6 s on an
        // idle 2-core machine), and longer the slower the machine. A tile reports after its first row at once, then at most
        // every 50 ms, and its overlay keeps the last fraction until the tile is painted.
        // Round-robin: a pool of its own (the other render test counts its pool's completed jobs).
        // A MutationObserver records every change of a tile's overlay: the test checks that progress only moves forward
        // and that nothing changes once a tile is done.
        await _fx.CallAsync(@"() => {
            const log = window.awsmProgressRun = { ended: false, changes: 0, violations: [], last: new Map(), started: new Map(), runMs: [] };
            log.observer = new MutationObserver(records => {
                for (const r of records) {
                    const el = r.target;
                    if (!el.classList || !el.classList.contains('tile')) continue;
                    log.changes++;
                    const now = { state: el.dataset.state, progress: Number(el.dataset.progress) };
                    const before = log.last.get(el);
                    if (before && before.state === 'done' && (now.state !== 'done' || now.progress !== 1)) log.violations.push(`tile ${el.dataset.tile} changed after done: ${now.state} ${now.progress}`);
                    if (before && now.progress < before.progress && now.state !== 'failed') log.violations.push(`tile ${el.dataset.tile} went back: ${before.progress} -> ${now.progress}`);
                    log.last.set(el, now);
                    if (now.state === 'running' && !log.started.has(el)) log.started.set(el, performance.now());
                    if (now.state === 'done' && before?.state !== 'done' && log.started.has(el)) log.runMs.push(performance.now() - log.started.get(el));
                }
            });
            log.observer.observe(document.getElementById('tiles'), { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-progress'] });
            log.render = window.awsm.render({ workers: 2, strategy: 'round-robin', iterations: 5000, zoom: 40 });
            log.render.then(() => { log.ended = true; }, () => { log.ended = true; });
            return true;
        }");

        // Hang guard only: resolves as soon as a running tile shows a fraction, or (a failure) when the render ended first.
        IJSHandle first = await _fx.Page.WaitForFunctionAsync(
            @"() => {
                const mid = window.awsm.tiles().find(t => t.state === 'running' && t.progress > 0 && t.progress < 1);
                if (mid) return { seen: true, tile: mid.tile, progress: mid.progress, done: window.awsm.tiles().filter(t => t.state === 'done').length };
                return window.awsmProgressRun.ended ? { seen: false } : false;
            }",
            null,
            new() { Timeout = 180_000, PollingInterval = 10 });
        JsonElement seen = await first.JsonValueAsync<JsonElement>().WaitAsync(TimeSpan.FromSeconds(30));
        _fx.Log($"first progress seen: {seen}");
        await _fx.ScreenshotAsync(_fx.Page, "sample-during-render.png");

        JsonElement run = await _fx.CallAsync("() => window.awsmProgressRun.render", 300);
        JsonElement tiles = await _fx.CallAsync("() => window.awsm.tiles()");
        JsonElement log = await _fx.CallAsync("() => { const l = window.awsmProgressRun; l.observer.disconnect(); const ms = l.runMs.sort((a, b) => a - b); return { changes: l.changes, violations: l.violations, tilesSeenRunning: ms.length, runningMsMedian: ms[ms.length >> 1], runningMsMax: ms[ms.length - 1] }; }");
        JsonElement canvas = await _fx.CallAsync("() => window.awsm.verifyCanvas(4)", 120);
        JsonElement stats = await _fx.CallAsync("() => window.awsm.stats()");
        _fx.Log($"render: {run}");
        _fx.Log($"overlay changes: {log}");
        _fx.Log($"canvas check: {canvas}");
        await _fx.ScreenshotAsync(_fx.Page, "sample-after-progress-render.png");

        Assert.True(seen.GetProperty("seen").GetBoolean(), $"no tile showed a progress between 0 and 1 before the render ended: {run}");
        Assert.True(run.GetProperty("ok").GetBoolean(), run.ToString());
        Assert.Equal(96, run.GetProperty("tiles").GetInt32());
        Assert.Equal(2, stats.GetProperty("workersAlive").GetInt32());

        // After the render every tile reads done (1), nothing moved backwards or after its end, and the image is right.
        Assert.Equal(96, tiles.GetArrayLength());
        Assert.All(tiles.EnumerateArray(), t =>
        {
            Assert.Equal("done", t.GetProperty("state").GetString());
            Assert.Equal(1.0, t.GetProperty("progress").GetDouble());
        });
        Assert.Empty(log.GetProperty("violations").EnumerateArray());
        Assert.True(canvas.GetProperty("ok").GetBoolean(), canvas.ToString());
        Assert.Equal(4, canvas.GetProperty("checked").GetInt32());
    }

    [Fact]
    public async Task StartAsync_PageContentSecurityPolicyRefusesBlobWorkers_StartsFromTheSameOriginBootstrap()
    {
        // csp.html: worker-src 'self' (no blob:). The blob: bootstrap is refused; the worker starts again from the
        // published static web asset _content/Awsm.Scheduler.WebWorker/worker.js and serves jobs.
        IPage page = await _fx.OpenPageAsync("csp.html");
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Context.Request += (_, request) => requests.Enqueue(request.Url);
        try
        {
            JsonElement r = await _fx.CallAsync(page, "() => window.awsm.e2e.startAndReportUrl()", 60);
            _fx.Log($"csp: {r}");
            Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            Assert.Contains(new Uri(_fx.BaseUri, "_content/Awsm.Scheduler.WebWorker/worker.js").ToString(), requests);

            // 'wasm-unsafe-eval' is all the page needs to compile the module it posts; the worker instantiates it.
            Assert.True(r.GetProperty("timings").GetProperty("moduleShared").GetBoolean(), r.ToString());
        }
        finally
        {
            await page.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task StartAsync_CspRefusesBlobWorkersAndSameOriginCopyIsMissing_FailsWithAClearInitError()
    {
        IPage page = await _fx.OpenPageAsync("csp.html");
        await page.Context.RouteAsync("**/_content/Awsm.Scheduler.WebWorker/worker.js", route => route.FulfillAsync(new RouteFulfillOptions { Status = 404, Body = "not here" }));
        try
        {
            JsonElement r = await _fx.CallAsync(page, "() => window.awsm.e2e.startFailure()", 60);
            _fx.Log($"csp, no same-origin copy: {r}");
            Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            string reason = r.GetProperty("reason").GetString()!;
            Assert.Contains("Content-Security-Policy", reason, StringComparison.Ordinal);
            Assert.Contains("blob:", reason, StringComparison.Ordinal);
            Assert.Contains("_content/Awsm.Scheduler.WebWorker/", reason, StringComparison.Ordinal);
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

    [Theory]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(2, false)]
    public async Task StartAsync_ShareCompiledModule_EveryWorkerInstantiatesThePagesModuleAndServesJobs(int workers, bool handover)
    {
        // Without handover the worker's runtime fetches dotnet.native.wasm itself: the compile of that response is answered too.
        JsonElement r = await _fx.CallAsync($"() => window.awsm.e2e.startAndRunOnEach({workers}, {(handover ? "true" : "false")}, true)");
        _fx.Log($"shared module, {workers} worker(s), handover {handover}: {r}");
        Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
        JsonElement timings = r.GetProperty("timings");
        Assert.Equal(workers, timings.GetArrayLength());
        Assert.All(timings.EnumerateArray(), t =>
        {
            Assert.True(t.GetProperty("moduleShared").GetBoolean(), t.ToString());
            Assert.Equal("compileStreaming", t.GetProperty("moduleVia").GetString()); // today's dotnet.js, application/wasm
            Assert.False(t.TryGetProperty("moduleNote", out _), t.ToString());
            Assert.True(t.GetProperty("pageCompileMs").GetDouble() >= 0, t.ToString());
        });
    }

    [Fact]
    public async Task StartAsync_ShareCompiledModuleOff_WorkersCompileTheirOwnAndServeJobs()
    {
        JsonElement r = await _fx.CallAsync("() => window.awsm.e2e.startAndRunOnEach(2, true, false)");
        _fx.Log($"module sharing off: {r}");
        Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
        Assert.All(r.GetProperty("timings").EnumerateArray(), t =>
        {
            Assert.False(t.GetProperty("moduleShared").GetBoolean(), t.ToString());
            Assert.Equal("ShareCompiledModule is off", t.GetProperty("moduleNote").GetString());
            Assert.True(t.GetProperty("servedFromHandover").GetInt32() > 0, t.ToString());
        });
    }

    [Fact]
    public async Task StartAsync_WasmServedWithoutWasmMimeType_TheRuntimesCompileOfItsBytesIsAnsweredToo()
    {
        // Without application/wasm, dotnet.js reads the response and compiles its bytes (WebAssembly.compile) instead of
        // compiling the stream: that compile is answered with the page's module as well (no handover, so the worker's
        // runtime fetches the file itself, through this route).
        IPage page = await _fx.Browser.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(30));
        page.SetDefaultTimeout(60_000);
        page.Console += (_, msg) => _fx.Log($"console.{msg.Type}: {msg.Text}");
        int served = 0;
        await page.Context.RouteAsync("**/_framework/dotnet.native.*.wasm", async route =>
        {
            IAPIResponse original = await route.FetchAsync();
            Interlocked.Increment(ref served);
            await route.FulfillAsync(new RouteFulfillOptions { Response = original, ContentType = "application/octet-stream" });
        });
        try
        {
            await page.GotoAsync(_fx.BaseUri.ToString(), new PageGotoOptions { Timeout = 30_000 });
            await page.WaitForFunctionAsync("() => window.awsmReady === true || !!window.awsmError", null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });
            JsonElement r = await _fx.CallAsync(page, "() => window.awsm.e2e.startAndRunOnEach(1, false, true)", 60);
            _fx.Log($"wasm as octet-stream: {r}; routed {served} time(s)");
            Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            JsonElement t = r.GetProperty("timings")[0];
            Assert.True(t.GetProperty("moduleShared").GetBoolean(), t.ToString());
            Assert.Equal("compile", t.GetProperty("moduleVia").GetString());
            Assert.True(Volatile.Read(ref served) >= 2, $"the route served the wasm {served} time(s): the page and the worker were expected");
        }
        finally
        {
            await page.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task StartAsync_BrowserCannotPostTheModule_WorkerCompilesItsOwnAndSaysWhy()
    {
        // A browser that cannot clone a WebAssembly.Module throws DataCloneError from postMessage: the worker is posted
        // its init without the module, compiles as without sharing, and serves jobs.
        IPage page = await _fx.OpenPageAsync(string.Empty);
        try
        {
            JsonElement r = await _fx.CallAsync(page, @"async () => {
                const post = Worker.prototype.postMessage;
                Worker.prototype.postMessage = function (message, transfer) {
                    if (message && message.kind === 'init' && message.wasm) throw new DOMException('cannot clone a module here', 'DataCloneError');
                    return post.call(this, message, transfer);
                };
                return await window.awsm.e2e.startAndRunOnEach(1, true, true);
            }", 60);
            _fx.Log($"module not clonable: {r}");
            Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            JsonElement t = r.GetProperty("timings")[0];
            Assert.False(t.GetProperty("moduleShared").GetBoolean(), t.ToString());
            Assert.Contains("DataCloneError", t.GetProperty("moduleNote").GetString()!, StringComparison.Ordinal);
        }
        finally
        {
            await page.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task StartEarly_PoolResolvedFromDi_StartsWithoutDispatchOneWorkerAtATime()
    {
        JsonElement r = await _fx.CallAsync("() => window.awsm.e2e.startEarlyFromDi(3)");
        _fx.Log($"start early: {r}");
        Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());

        // Created one after another: each worker only once the one created before it was ready (the page's clock).
        JsonElement[] byCreation = [.. r.GetProperty("timings").EnumerateArray().OrderBy(t => t.GetProperty("createdAtMs").GetDouble())];
        Assert.Equal(3, byCreation.Length);
        for (int i = 1; i < byCreation.Length; i++)
        {
            Assert.True(byCreation[i].GetProperty("createdAtMs").GetDouble() >= byCreation[i - 1].GetProperty("readyAtMs").GetDouble(), r.ToString());
        }
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
