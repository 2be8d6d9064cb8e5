using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Awsm.Scheduler.Samples.Browser.Server;

/// <summary>
/// Runs the sample's benchmark page (<c>bench.html</c>) in headless Chromium and prints its table: round trip and
/// throughput of the WebWorker transport (pool and bare) beside a plain JS worker, and worker start times.
/// </summary>
public static class BenchRunner
{
    /// <summary>Opens <c>bench.html</c> on <paramref name="baseUri"/>, runs it and prints the table.</summary>
    /// <param name="baseUri">The served sample.</param>
    /// <param name="rounds">Rounds (variants alternate within each round).</param>
    /// <param name="only">Variant keys to run (bench.js), or <see langword="null"/> for all.</param>
    /// <param name="jsonPath">Where to write the raw runs as JSON, or <see langword="null"/>.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(Uri baseUri, int rounds, string[]? only, string? jsonPath)
    {
        if (!File.Exists(HeadlessChromium.ExecutablePath))
        {
            Console.Error.WriteLine(HeadlessChromium.NotFoundMessage);
            return 3;
        }

        using IPlaywright playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await using IBrowser browser = await HeadlessChromium.LaunchAsync(playwright);
        Console.WriteLine($"Chromium {browser.Version}, {Environment.ProcessorCount} cores");
        IPage page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, msg) =>
        {
            if (msg.Type is "error" or "warning")
            {
                Console.Error.WriteLine($"console.{msg.Type}: {msg.Text}");
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }

            Console.Error.WriteLine($"pageerror: {error}");
        };

        await page.GotoAsync(new Uri(baseUri, "bench.html").ToString(), new PageGotoOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => window.awsmBench?.ready === true", null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });
        var sw = Stopwatch.StartNew();
        Console.WriteLine($"running {rounds} round(s) …");
        string raw = await page.EvaluateAsync<string>("o => window.awsmBench.run(o).then(r => JSON.stringify(r))", new { rounds, only })
            .WaitAsync(TimeSpan.FromMinutes(5));
        using var doc = JsonDocument.Parse(raw);
        JsonElement result = doc.RootElement;
        Console.WriteLine($"done in {sw.Elapsed.TotalSeconds:0} s");
        Console.WriteLine();
        Console.WriteLine(result.GetProperty("table").GetString());
        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, raw);
            Console.WriteLine();
            Console.WriteLine($"raw runs: {jsonPath}");
        }

        return errors.Count == 0 ? 0 : 1;
    }
}
