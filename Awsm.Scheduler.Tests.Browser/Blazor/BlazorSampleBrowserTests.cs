using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser.Blazor;

/// <summary>
/// The Blazor WebAssembly sample, published (Release, trimmed, fingerprinted <c>dotnet.&lt;hash&gt;.js</c>) and served under
/// the sub-path <c>/app/</c>: its pool comes from DI exactly as documented (4 workers), jobs run in several workers, the
/// page keeps rendering frames while the workers start and work, cancel works, and a strict CSP (no <c>blob:</c>, no
/// <c>data:</c>) is fine.
/// </summary>
[Collection(BlazorCollection.Name)]
public sealed partial class BlazorSampleBrowserTests : IDisposable
{
    // 8 jobs of 250,000 numbers: [0, 2,000,000) holds 148,933 primes.
    private const int Jobs = 8;
    private const long PerJob = 250_000;

    // The sample's pool (Program.cs: WorkerCount = 4).
    private const int Workers = 4;

    // Timestamp jitter of requestAnimationFrame (vsync-aligned frames), not a frame.
    private const double FrameJitterMs = 0.5;

    private readonly BlazorFixture _fx;

    public BlazorSampleBrowserTests(BlazorFixture fixture, ITestOutputHelper output)
    {
        _fx = fixture;
        _fx.Output = output;
    }

    public void Dispose() => _fx.Output = null;

    [Fact]
    public async Task Run_FreshPage_FourWorkersFromDiCountEveryRangeCorrectly()
    {
        await using SamplePage page = await _fx.OpenAsync();
        await page.RunAsync(Jobs, PerJob);
        Assert.Equal("done", await page.WaitForRunAsync(1));
        await _fx.ScreenshotAsync(page.Page, "blazor-after-run.png");

        JobRowView[] rows = await page.RowsAsync();
        _fx.Log($"rows: {JsonSerializer.Serialize(rows)}");
        Assert.Equal(Jobs, rows.Length);
        for (int i = 0; i < Jobs; i++)
        {
            Assert.Equal("done", rows[i].State);
            Assert.Equal(CountPrimes(i * PerJob, (i + 1) * PerJob), rows[i].Primes);
        }

        Assert.Equal("148933", await page.Page.GetAttributeAsync("#status", "data-total"));
        Assert.All(rows, r => Assert.InRange(r.Worker, 0, 3));

        // Again, on the started pool: the jobs spread over several workers, with the same results.
        await page.RunAsync(Jobs, PerJob);
        Assert.Equal("done", await page.WaitForRunAsync(2));
        rows = await page.RowsAsync();
        _fx.Log($"rows of the second run: {JsonSerializer.Serialize(rows)}");
        for (int i = 0; i < Jobs; i++)
        {
            Assert.Equal("done", rows[i].State);
            Assert.Equal(CountPrimes(i * PerJob, (i + 1) * PerJob), rows[i].Primes);
        }

        Assert.True(rows.Select(r => r.Worker).Distinct().Count() >= 2, $"all jobs ran in one worker: {JsonSerializer.Serialize(rows)}");
        Assert.Equal("148933", await page.Page.GetAttributeAsync("#status", "data-total"));

        // The pool is the documented DI registration: AddAwsmScheduler("default", o => o.WorkerCount = 4).
        Assert.Equal("4", await page.Page.GetAttributeAsync("#pool-stats", "data-alive"));
        Assert.Equal(4, await page.Page.Locator("#workers tr.worker").CountAsync());
        Assert.Contains("default", await page.Page.InnerTextAsync("#pool-stats"), StringComparison.Ordinal);

        // Each worker's runtime instantiated the dotnet.native.wasm module the page compiled once (ShareCompiledModule).
        await AssertEveryWorkerSharedTheModuleAsync(page);
        Assert.Empty(page.Errors);
    }

    private static async Task AssertEveryWorkerSharedTheModuleAsync(SamplePage page)
    {
        // The workers table refreshes 4 times a second: wait for a render with every worker's report in it.
        await page.Page.WaitForFunctionAsync("() => document.querySelectorAll(\"#workers tr.worker[data-module='shared'], #workers tr.worker[data-module='compiled']\").length === 4", null, new() { Timeout = 60_000, PollingInterval = 50 });
        string modules = await page.EvalAsync<string>("() => [...document.querySelectorAll('#workers tr.worker')].map(r => r.dataset.module).join(',')");
        Assert.Equal("shared,shared,shared,shared", modules);
    }

    [Fact]
    public async Task Page_PublishedUnderSubPath_LoadsTheFingerprintedRuntimeInPageAndWorkers()
    {
        await using SamplePage page = await _fx.OpenAsync();
        await page.RunAsync(4, 10_000);
        Assert.Equal("done", await page.WaitForRunAsync(1));

        string baseHref = await page.EvalAsync<string>("() => document.baseURI");
        Assert.Equal(_fx.BaseUri.ToString(), baseHref);
        Assert.EndsWith("/app/", baseHref, StringComparison.Ordinal);

        // dotnet.<fingerprint>.js, found through the import map: by the page, then imported by each of the 4 workers.
        string[] runtime = [.. page.Requests.Where(u => FingerprintedDotnetJs().IsMatch(u)).Distinct()];
        _fx.Log($"runtime requests: {string.Join(", ", runtime)}");
        Assert.Single(runtime);
        Assert.StartsWith(new Uri(_fx.BaseUri, "_framework/").ToString(), runtime[0], StringComparison.Ordinal);
        Assert.DoesNotContain(page.Requests, u => u.EndsWith("/_framework/dotnet.js", StringComparison.Ordinal));
        // All 4 workers imported it and became ready (the 4 small jobs may have finished on the first ones; the stats
        // table refreshes 4 times a second).
        await page.Page.WaitForFunctionAsync("() => document.querySelectorAll(\"#workers tr.worker[data-state='Ready']\").length === 4", null, new() { Timeout = 60_000, PollingInterval = 50 });
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task StartAndRun_FourWorkers_PageKeepsRenderingFrames()
    {
        // Frame gaps are wall time: on a loaded machine one page can be descheduled mid-start and show a gap no code
        // caused, while a real main-thread stall (the old per-worker resource copy: 100 to 500 ms) shows on every page.
        // So each attempt is a fresh page with a fresh pool, and the test fails only when every attempt is over a bound.
        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            string? overBound = await MeasureStartAndRunAsync();
            if (overBound is null)
            {
                return;
            }

            Assert.True(attempt < Attempts, $"{overBound} (over a bound on each of {Attempts} fresh pages)");
            _fx.Log($"attempt {attempt} of {Attempts}: {overBound}; measuring again on a fresh page");
        }
    }

    /// <summary>Starts the sample's pool of 4 on a fresh page and runs it; returns what was over a frame bound, or null.</summary>
    private async Task<string?> MeasureStartAndRunAsync()
    {
        await using SamplePage page = await _fx.OpenAsync();
        await page.EvalAsync<bool>("() => { window.awsmFrames.start(); return true; }");
        await page.RunAsync(Jobs, PerJob);
        await page.Page.WaitForFunctionAsync("() => document.querySelector('#pool-stats')?.dataset.alive === '4'", null, new() { Timeout = 60_000, PollingInterval = 20 });
        JsonElement start = await page.EvalAsync<JsonElement>("() => window.awsmFrames.stop()");
        // Rendered with alive = 4 (one refresh reads both): every chunk of the 4 starts is in it.
        string? chunkText = await page.Page.GetAttributeAsync("#pool-stats", "data-longest-page-chunk-ms");
        await page.EvalAsync<bool>("() => { window.awsmFrames.start(); return true; }");
        Assert.Equal("done", await page.WaitForRunAsync(1));
        JsonElement work = await page.EvalAsync<JsonElement>("() => window.awsmFrames.stop()");
        // The references, as long as the start took (at least half a second): the same page with the started pool idle,
        // then with all 4 workers computing (bigger jobs, so they compete for the cores as the starting workers did).
        string record = $"() => window.awsmFrames.record({Math.Max(500, start.GetProperty("durationMs").GetDouble()).ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        JsonElement idle = await page.EvalAsync<JsonElement>(record);
        await page.RunAsync(Jobs, 4 * PerJob);
        JsonElement busy = await page.EvalAsync<JsonElement>(record);
        Assert.Equal("done", await page.WaitForRunAsync(2));
        _fx.Log($"longest page chunk of the transport: {chunkText} ms; frames while 4 workers started: {start}; while they worked: {work}; idle: {idle}; busy: {busy}");
        Assert.Empty(page.Errors);

        // What the transport itself runs on the page's main thread (creating a worker, posting its init, posting a batch,
        // handling a worker's message) is measured and logged: about 20 ms on a quiet machine, 30 to 35 ms typically under
        // load, the target being 50 ms. It is bounded only against the same frame references as below: a chunk is
        // wall time, and a descheduled one under heavy load (seen once at 117 ms) says nothing about the code, while
        // the old per-worker resource copy (hundreds of ms) still fails.
        Assert.True(double.TryParse(chunkText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double chunkMs), $"no longest page chunk rendered: '{chunkText}'");
        Assert.True(chunkMs > 0, $"the longest page chunk must be measured: '{chunkText}'");

        // Frame gaps depend on everything else the machine runs (other processes and the workers themselves competing for
        // the cores), so they are bounded only against references from this page and run: the worst gap while the pool was
        // idle and while its 4 workers computed. The start may show at most twice that worst gap, and never has to beat 50 ms (two frames missed at
        // 60 Hz; requestAnimationFrame timestamps are vsync-aligned but jitter by a fraction of a millisecond, so three
        // frame intervals read 49.9 to 50.1 ms). On a quiet machine that is the 50 ms of the issue; under load it grows with
        // the load, and a real main-thread stall of hundreds of ms still fails it.
        Assert.True(start.GetProperty("frames").GetInt32() >= 3, $"too few frames to measure the start: {start}");
        Assert.True(idle.GetProperty("frames").GetInt32() >= 3, $"too few frames in the idle reference: {idle}");
        Assert.True(busy.GetProperty("frames").GetInt32() >= 3, $"too few frames in the busy reference: {busy}");
        double reference = Math.Max(idle.GetProperty("maxGapMs").GetDouble(), busy.GetProperty("maxGapMs").GetDouble());
        double chunkBound = Math.Max(100, 2 * reference);
        if (chunkMs > chunkBound)
        {
            return $"the transport held the page's main thread for {chunkMs:0.#} ms (at most {chunkBound:0.#} ms allowed); idle: {idle}; busy: {busy}";
        }

        double startBound = Math.Max(50, 2 * reference) + FrameJitterMs;
        if (start.GetProperty("maxGapMs").GetDouble() > startBound)
        {
            return $"the page stalled while the workers started (at most {startBound:0.#} ms allowed): {start}; idle: {idle}; busy: {busy}";
        }

        // While the workers finish the first run the page only takes their results: at most 250 ms, or twice the
        // references. On a loaded machine the first run can end within a frame of the last worker's start, leaving
        // nothing of it to measure: then its results arrived during the start, under the start's bound above.
        double workBound = Math.Max(250, 2 * reference);
        if (work.GetProperty("frames").GetInt32() < 2)
        {
            _fx.Log($"the first run ended before a second frame after the start ({work}): nothing left of it to measure");
        }
        else if (work.GetProperty("maxGapMs").GetDouble() > workBound)
        {
            return $"the page stalled while the workers worked (at most {workBound:0.#} ms allowed): {work}; idle: {idle}; busy: {busy}";
        }

        return null;
    }

    [Fact]
    public async Task CancelAll_LongJobsReportingProgress_EveryJobEndsCancelledAndTheNextRunSucceeds()
    {
        await using SamplePage page = await _fx.OpenAsync();
        await page.RunAsync(Jobs, 50_000_000);

        // The jobs report progress from their workers: the bars move before anything is done.
        await page.Page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('tr.job')].filter(r => +r.dataset.progress > 0 && +r.dataset.progress < 1).length >= 2",
            null,
            new() { Timeout = 60_000, PollingInterval = 50 });
        string progress = await page.EvalAsync<string>("() => [...document.querySelectorAll('tr.job')].map(r => r.dataset.progress).join(',')");
        _fx.Log($"progress before cancel: {progress}");
        await page.Page.ClickAsync("#cancel");
        Assert.Equal("partial", await page.WaitForRunAsync(1, 60));
        JobRowView[] rows = await page.RowsAsync();
        _fx.Log($"cancelled rows: {JsonSerializer.Serialize(rows)}");
        Assert.All(rows, r => Assert.Equal("cancelled", r.State));

        await page.RunAsync(4, 10_000);
        Assert.Equal("done", await page.WaitForRunAsync(2));
        Assert.Equal(CountPrimes(0, 40_000).ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Page.GetAttributeAsync("#status", "data-total"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Run_StrictCspWithoutBlobOrData_WorkersStartFromSameOriginScripts()
    {
        await using SamplePage page = await _fx.OpenAsync(strict: true);
        await page.RunAsync(Jobs, 20_000);
        Assert.Equal("done", await page.WaitForRunAsync(1));
        Assert.Equal(CountPrimes(0, Jobs * 20_000L).ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Page.GetAttributeAsync("#status", "data-total"));
        // The small jobs may all finish before the last worker is ready (under load), and the stats refresh 4 times a second.
        await page.Page.WaitForFunctionAsync("() => document.querySelector('#pool-stats')?.dataset.alive === '4'", null, new() { Timeout = 60_000, PollingInterval = 50 });
        Assert.Contains(page.Requests, u => u == new Uri(_fx.StrictBaseUri, "_content/Awsm.Scheduler.WebWorker/worker.js").ToString());
        Assert.Contains(page.Requests, u => u == new Uri(_fx.StrictBaseUri, "_content/Awsm.Scheduler.WebWorker/page.js").ToString());
        Assert.DoesNotContain(page.Requests, u => u.StartsWith("blob:", StringComparison.Ordinal));
        _fx.Log($"policy: {_fx.StrictPolicy}");

        // 'wasm-unsafe-eval' lets the page compile the module it posts; no worker compiled its own.
        await AssertEveryWorkerSharedTheModuleAsync(page);
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Dispatch_EightEqualJobsWhileFourWorkersStart_SpreadOverEveryWorker()
    {
        // Equal CPU jobs of about a second each, dispatched while the pool starts (the first run of a fresh page): they
        // must spread over the workers as they become ready, not pile up on the first one (before the fix, all 8 ran
        // on worker 0 and took 2.5 times as long). While a worker starts, a ready one takes one job at a time, and the
        // backlog then goes to the least-loaded workers: 2 each, unless a worker finished its first job before the last
        // one became ready (a slow start on a loaded machine) and rightly took another. The pool-level rule is tested
        // exactly in WorkerPoolStartTests; here the real browser shows the spread. The time against a run after the
        // start is logged: wall time on a shared machine moved it by half in both directions with the same spread.
        const long Size = 3_000_000;
        await using SamplePage page = await _fx.OpenAsync();
        await page.RunAsync(Jobs, Size);
        Assert.Equal("done", await page.WaitForRunAsync(1, 240));
        double cold = await page.ElapsedMsAsync();
        JobRowView[] coldRows = await page.RowsAsync();
        await page.RunAsync(Jobs, Size);
        Assert.Equal("done", await page.WaitForRunAsync(2, 240));
        double warm = await page.ElapsedMsAsync();
        JobRowView[] warmRows = await page.RowsAsync();
        _fx.Log($"8 jobs dispatched while starting: {cold:0} ms, workers {string.Join(",", coldRows.Select(r => r.Worker))}; after start: {warm:0} ms (ratio {cold / warm:0.00}), workers {string.Join(",", warmRows.Select(r => r.Worker))}");

        int[] perWorker = [.. Enumerable.Range(0, Workers).Select(w => coldRows.Count(r => r.Worker == w))];
        Assert.Equal(Jobs, perWorker.Sum());
        Assert.True(perWorker.All(n => n is >= 1 and <= (Jobs / Workers) + 1), $"jobs per worker when dispatched during the start: {string.Join(",", perWorker)} (each worker 1 to {(Jobs / Workers) + 1} expected)");
    }

    private static int CountPrimes(long from, long to)
    {
        int count = 0;
        for (long n = Math.Max(from, 2); n < to; n++)
        {
            bool prime = true;
            for (long d = 2; d * d <= n; d++)
            {
                if (n % d == 0)
                {
                    prime = false;
                    break;
                }
            }

            if (prime)
            {
                count++;
            }
        }

        return count;
    }

    [GeneratedRegex(@"/_framework/dotnet\.[a-z0-9]{6,}\.js$")]
    private static partial Regex FingerprintedDotnetJs();
}
