using Awsm.Scheduler.Samples.Browser.Server;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>
/// What every browser fixture shares: headless Chromium through Playwright (a missing Chromium fails, never skips), the
/// artifacts folder, screenshots, and log lines to the running test's output (or, between tests, to the diagnostics
/// sink). A subclass publishes and serves its sample in <see cref="StartSiteAsync"/> before the browser starts, and
/// stops serving it in <see cref="StopSiteAsync"/> after the browser closed. Every step has a timeout.
/// </summary>
public abstract class PlaywrightFixture : IAsyncLifetime
{
    private readonly IMessageSink _diagnostics;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    protected PlaywrightFixture(IMessageSink diagnostics) => _diagnostics = diagnostics;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started yet.");

    /// <summary>Gets the folder for artifacts (screenshots, measurements): under the test output folder.</summary>
    public string ArtifactsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "browser-artifacts");

    /// <summary>Gets or sets the running test's output (set by the test class constructor).</summary>
    public ITestOutputHelper? Output { get; set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ArtifactsDirectory);
        if (!File.Exists(HeadlessChromium.ExecutablePath))
        {
            throw new InvalidOperationException($"{HeadlessChromium.NotFoundMessage} The browser tests need it and do not skip.");
        }

        await StartSiteAsync();

        _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
        Log($"browser {_browser.Version}");

        await OnBrowserStartedAsync();
    }

    public async Task<string> ScreenshotAsync(IPage page, string name)
    {
        string path = Path.Combine(ArtifactsDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true }).WaitAsync(TimeSpan.FromSeconds(30));
        Log($"screenshot: {path}");
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _playwright?.Dispose();
        await StopSiteAsync();
    }

    public virtual void Log(string line)
    {
        try
        {
            if (Output is { } output)
            {
                output.WriteLine(line);
            }
            else
            {
                _diagnostics.OnMessage(new DiagnosticMessage(line));
            }
        }
        catch (InvalidOperationException)
        {
            // the test that owned Output has finished
        }
    }

    /// <summary>Publishes and serves the sample; called before the browser starts.</summary>
    protected abstract Task StartSiteAsync();

    /// <summary>Runs once the browser is up (for example, opens the first page); nothing by default.</summary>
    protected virtual Task OnBrowserStartedAsync() => Task.CompletedTask;

    /// <summary>Stops serving the sample (what <see cref="StartSiteAsync"/> started of it); called after the browser closed.</summary>
    protected abstract Task StopSiteAsync();
}
