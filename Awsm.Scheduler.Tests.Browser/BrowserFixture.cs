using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Awsm.Scheduler.Samples.Browser.Server;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>
/// Publishes the browser sample once per test run into a fresh folder under the test output, serves it on 127.0.0.1,
/// starts Chromium headless through Playwright (<see cref="PlaywrightFixture"/>) and opens the page until it reports
/// ready. Every step has a timeout and fails with the evidence (publish output, console lines) instead of hanging.
/// </summary>
public sealed class BrowserFixture(IMessageSink diagnostics) : PlaywrightFixture(diagnostics)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<string> _console = new();
    private StaticSiteHost? _host;

    public IPage Page { get; private set; } = null!;

    public Uri BaseUri => _host!.BaseUri;

    public TimeSpan PublishDuration { get; private set; }

    public IReadOnlyCollection<string> ConsoleLines => _console;

    protected override async Task StartSiteAsync()
    {
        string repo = SamplePublisher.FindRepositoryRoot(AppContext.BaseDirectory);
        string publishDir = Path.Combine(AppContext.BaseDirectory, "sample-publish");
        var sw = Stopwatch.StartNew();
        string wwwroot = await SamplePublisher.PublishAsync(repo, publishDir, PublishTimeout);
        PublishDuration = sw.Elapsed;
        Log($"published the sample in {PublishDuration.TotalSeconds:0.0} s into {publishDir}");

        _host = await StaticSiteHost.StartAsync(wwwroot);
        Log($"serving {wwwroot} at {_host.BaseUri}");
    }

    protected override async Task OnBrowserStartedAsync()
    {
        Page = await OpenPageAsync(string.Empty);
        await ScreenshotAsync(Page, "sample-ready.png");
    }

    /// <summary>Opens the sample at <paramref name="relativeUrl"/> in a new page and waits until it is ready.</summary>
    public async Task<IPage> OpenPageAsync(string relativeUrl)
    {
        IPage page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 760 } }).WaitAsync(TimeSpan.FromSeconds(30));
        page.SetDefaultTimeout(60_000);
        page.Console += (_, msg) => Log($"console.{msg.Type}: {msg.Text}");
        page.PageError += (_, error) => Log($"pageerror: {error}");
        page.RequestFailed += (_, request) => Log($"request failed: {request.Url} {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Log($"HTTP {response.Status} {response.Url}");
            }
        };

        await page.GotoAsync(new Uri(BaseUri, relativeUrl).ToString(), new PageGotoOptions { Timeout = 30_000 });
        try
        {
            await page.WaitForFunctionAsync("() => window.awsmReady === true || !!window.awsmError", null, new PageWaitForFunctionOptions { Timeout = (float)ReadyTimeout.TotalMilliseconds, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync(page, "sample-not-ready.png");
            throw new InvalidOperationException($"page not ready within {ReadyTimeout.TotalSeconds} s. Console:\n{string.Join('\n', _console)}");
        }

        string? error = await page.EvaluateAsync<string?>("() => window.awsmError ?? null").WaitAsync(TimeSpan.FromSeconds(10));
        if (error is not null)
        {
            throw new InvalidOperationException($"page reported a startup error: {error}\nConsole:\n{string.Join('\n', _console)}");
        }

        return page;
    }

    /// <summary>Evaluates <paramref name="expression"/> on the main page; a promise that never settles fails after <paramref name="timeoutSeconds"/>.</summary>
    public Task<JsonElement> CallAsync(string expression, int timeoutSeconds = 60) => CallAsync(Page, expression, timeoutSeconds);

    public async Task<JsonElement> CallAsync(IPage page, string expression, int timeoutSeconds = 60)
    {
        try
        {
            // Playwright's evaluate has no timeout of its own.
            return await page.EvaluateAsync<JsonElement>(expression).WaitAsync(TimeSpan.FromSeconds(timeoutSeconds));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{expression}' did not complete within {timeoutSeconds} s");
        }
    }

    public override void Log(string line)
    {
        _console.Enqueue(line);
        base.Log(line);
    }

    protected override async Task StopSiteAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
