using Microsoft.Playwright;

namespace Awsm.Scheduler.Samples.Browser.Server;

/// <summary>
/// The one way this repository starts Chromium: the binary (<c>AWSM_CHROMIUM</c>, else <c>/usr/bin/chromium</c>) and
/// the headless launch through Playwright, used by the bench runner and by the browser test fixtures alike.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>Gets the Chromium binary to drive: <c>AWSM_CHROMIUM</c> if set, else the Debian package's path.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("AWSM_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Gets the line to print when <see cref="ExecutablePath"/> does not exist: what to install or set.</summary>
    public static string NotFoundMessage => $"Chromium not found at '{ExecutablePath}': install it (apt-get install -y chromium) or set AWSM_CHROMIUM to a Chromium/Chrome binary.";

    /// <summary>Launches headless Chromium (no sandbox, GPU, QUIC or background networking), failing after 90 seconds.</summary>
    /// <param name="playwright">The Playwright instance.</param>
    /// <returns>The browser.</returns>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        }).WaitAsync(TimeSpan.FromSeconds(90));
}
