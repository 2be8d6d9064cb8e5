using System.Diagnostics;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Awsm.Scheduler.Samples.Browser.Jobs;
using Awsm.Scheduler.WebWorker;
using Microsoft.Extensions.DependencyInjection;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>
/// Browser-specific scenarios the browser tests drive through <c>window.awsm.e2e</c>: what the conformance catalog
/// (Conformance/, <c>window.awsm.conformance</c>) cannot reach because it drives faults through the decorator: a
/// worker that really throws at its top level or spins, malformed messages really posted by a worker, worker-side
/// unknown jobs, 32 MiB transfers, start failures and dotnet.js discovery, the sample's own tile job, and measurements.
/// Each starts its own pool of web workers, checks, stops the pool, and returns JSON: <c>ok</c>, <c>message</c> and
/// the evidence.
/// </summary>
[SupportedOSPlatform("browser")]
public static partial class E2eHooks
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A Mandelbrot tile computed in a worker is identical to the one computed on the page (the sample's own job; the
    /// transport's results, records and byte arrays are proven by the conformance catalog).
    /// </summary>
    [JSExport]
    public static Task<string> Tile() => WithPool(1, null, async (pool, _) =>
    {
        var tile = new TileRequest(128, 64, 64, 64, -0.6, 0, 3.0 / 768, 768, 512, 200);
        byte[] remote = await pool.DispatchAsync<MandelbrotTileJob, TileRequest, byte[]>(tile).AsTask().WaitAsync(Step);
        byte[] local = MandelbrotTileJob.Render(tile, -1);
        bool matches = remote.Length == local.Length && remote.AsSpan(64 * 4 * 4).SequenceEqual(local.AsSpan(64 * 4 * 4)); // skip the 4 rows holding the worker marker
        return Outcome(matches, $"tile of {remote.Length} bytes matches the page's={matches}");
    });

    /// <summary>A job registered on the page but not in the worker fails as unknown; the worker stays healthy.</summary>
    [JSExport]
    public static Task<string> UnknownJob() => WithPool(1, null, async (pool, _) =>
    {
        try
        {
            await pool.DispatchAsync<PageOnlyJob, int, int>(1).AsTask().WaitAsync(Step);
            return Outcome(false, "no exception");
        }
        catch (UnknownJobException ex)
        {
            int after = await pool.DispatchAsync<WhoAmIJob, int, int>(0).AsTask().WaitAsync(Step);
            WorkerPoolStats stats = pool.GetStats();
            bool ok = ex.JobName == PageOnlyJob.Name && after == 0 && stats.Workers[0].Crashes == 0 && stats.WorkersAlive == 1;
            return Outcome(ok, $"{ex.GetType().Name}: {ex.Message}; next job ran on worker {after}; crashes={stats.Workers[0].Crashes}");
        }
    });

    /// <summary>
    /// A worker whose script throws at its top level crashes: only its jobs fail (WorkerCrashedException), the other
    /// worker's job completes, the pool respawns it and keeps serving on both.
    /// </summary>
    [JSExport]
    public static Task<string> Crash() => WithPool(2, o => o.Strategy = WorkerSelectionStrategies.RoundRobin(), async (pool, _) =>
    {
        Task<string> onFirst = pool.DispatchAsync<WaitJob, int, string>(1_500).AsTask();
        Task<string> onSecond = pool.DispatchAsync<WaitJob, int, string>(1_500).AsTask();
        Task<int> crash = pool.DispatchAsync<CrashJob, int, int>(0).AsTask(); // round-robin: back on the first worker
        await Task.WhenAny(Task.WhenAll(onFirst, onSecond, crash), Task.Delay(Step));
        string Describe(Task t) => t.IsCompletedSuccessfully ? "ok" : t.Exception?.InnerException?.GetType().Name ?? (t.IsCanceled ? "canceled" : "pending");
        int crashed = crash.Exception?.InnerException is WorkerCrashedException wc ? wc.WorkerIndex : -1;
        Task<string> sameWorker = crashed == 0 ? onFirst : onSecond;
        Task<string> otherWorker = crashed == 0 ? onSecond : onFirst;
        string crashReason = (crash.Exception?.InnerException as WorkerCrashedException)?.Reason ?? "(none)";

        // recovers: both workers alive again, and jobs run on both
        bool recovered = await WaitUntil(() => pool.GetStats().WorkersAlive == 2, Step);
        int[] after = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => pool.DispatchAsync<WhoAmIJob, int, int>(i).AsTask())).WaitAsync(Step);
        WorkerPoolStats stats = pool.GetStats();
        bool ok = crashed >= 0
            && sameWorker.Exception?.InnerException is WorkerCrashedException
            && otherWorker.IsCompletedSuccessfully
            && recovered
            && after.Distinct().Count() == 2
            && stats.Workers[crashed].Crashes == 1;
        return Outcome(ok, $"crash job: {Describe(crash)} on worker {crashed} ({crashReason}); same worker's job: {Describe(sameWorker)}; other worker's job: {Describe(otherWorker)}; recovered={recovered}; after: {string.Join(",", after)}");
    });

    /// <summary>
    /// A job that ignores cancellation past the grace period: the pool terminates its worker (TerminateWorkerAsync) and
    /// replaces it; the pool keeps serving.
    /// </summary>
    [JSExport]
    public static Task<string> TerminateUnresponsive() => WithPool(
        1,
        o =>
        {
            o.JobTimeout = TimeSpan.FromMilliseconds(300);
            o.CancellationGracePeriod = TimeSpan.FromMilliseconds(300);
        },
        async (pool, _) =>
        {
            var sw = Stopwatch.StartNew();
            string outcome;
            try
            {
                await pool.DispatchAsync<SpinJob, int, int>(4_000).AsTask().WaitAsync(Step);
                return Outcome(false, "completed");
            }
            catch (JobTimeoutException ex)
            {
                outcome = $"{ex.GetType().Name} after {sw.ElapsedMilliseconds} ms";
            }

            bool replaced = await WaitUntil(() => pool.GetStats().Workers[0].Crashes == 1 && pool.GetStats().WorkersAlive == 1, Step);
            int after = await pool.DispatchAsync<WhoAmIJob, int, int>(0).AsTask().WaitAsync(Step);
            long replacedAtMs = sw.ElapsedMilliseconds;
            return Outcome(replaced && after == 0, $"{outcome}; worker terminated and replaced={replaced} (serving again after {replacedAtMs} ms, well before the 4 s spin ended)");
        });

    /// <summary>A 32 MiB byte[] goes to a worker and back intact; the page-side buffer was transferred (detached), not copied.</summary>
    [JSExport]
    public static Task<string> RoundTrip32MiB() => WithPool(1, null, async (pool, transport) =>
    {
        var payload = new byte[32 * 1024 * 1024];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)((i * 31) + (i >> 12));
        }

        long transferredBefore = transport.TransferredPayloads;
        var samples = new List<double>();
        bool intact = true;
        for (int run = 0; run < 3; run++)
        {
            var sw = Stopwatch.StartNew();
            byte[] reply = await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload).AsTask().WaitAsync(Step);
            samples.Add(sw.Elapsed.TotalMilliseconds);
            intact &= reply.Length == payload.Length && reply.AsSpan().SequenceEqual(payload);
        }

        bool transferred = transport.TransferredPayloads - transferredBefore == 3 && transport.CopiedPayloads == 0;
        samples.Sort();
        return Outcome(intact && transferred, $"32 MiB x3 intact={intact}, transferred={transferred} (copied={transport.CopiedPayloads}), median {samples[1]:0} ms")
            .With("medianMs", samples[1])
            .With("samplesMs", new JsonArray([.. samples.Select(s => (JsonNode)s)]));
    });

    /// <summary>A worker script posting malformed envelopes: the pool logs and drops them and stays healthy.</summary>
    [JSExport]
    public static Task<string> Malformed() => WithPool(1, null, async (pool, _) =>
    {
        int before = PoolFactory.Logs.Entries.Count(e => e.EventId == 20);
        int result = await pool.DispatchAsync<MalformedJob, int, int>(0).AsTask().WaitAsync(Step);
        await WaitUntil(() => PoolFactory.Logs.Entries.Count(e => e.EventId == 20) - before >= 3, TimeSpan.FromSeconds(5));
        string[] logged = [.. PoolFactory.Logs.Entries.Where(e => e.EventId == 20).Skip(before).Select(e => e.Message)];
        int after = await pool.DispatchAsync<WhoAmIJob, int, int>(0).AsTask().WaitAsync(Step);
        WorkerPoolStats stats = pool.GetStats();
        bool ok = result == 4 && logged.Length >= 3 && after == 0 && stats.Workers[0].Crashes == 0;
        return Outcome(ok, $"job result {result}; {logged.Length} malformed envelope(s) logged and dropped; next job ok on worker {after}")
            .With("logged", new JsonArray([.. logged.Select(l => (JsonNode)l)]));
    });

    /// <summary>Starting a pool whose workers cannot load dotnet.js fails fast with the URL and the reason.</summary>
    /// <param name="dotnetUrl">The URL to try.</param>
    /// <param name="factory">A WorkerFactory path, or null.</param>
    [JSExport]
    public static async Task<string> StartFailure(string? dotnetUrl, string? factory)
    {
        (WorkerPool pool, _) = PoolFactory.Create(1, o => o.StartTimeout = TimeSpan.FromSeconds(15), t =>
        {
            t.DotnetUrl = dotnetUrl;
            t.WorkerFactory = factory;
        });
        var sw = Stopwatch.StartNew();
        try
        {
            await pool.StartAsync().WaitAsync(Step);
            return Outcome(false, "started").ToJsonString();
        }
        catch (WorkerStartException ex)
        {
            return Outcome(true, ex.Message).With("ms", sw.Elapsed.TotalMilliseconds).With("reason", ex.Reason).ToJsonString();
        }
        catch (Exception ex)
        {
            return Outcome(false, ex.ToString()).ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    /// <summary>Starts a one-worker pool (optionally through a WorkerFactory), runs a job, and reports the dotnet.js URL the worker imported.</summary>
    /// <param name="factory">A WorkerFactory path, or null.</param>
    [JSExport]
    public static async Task<string> StartAndReportUrl(string? factory)
    {
        (WorkerPool pool, WebWorkerTransport transport) = PoolFactory.Create(1, null, t => t.WorkerFactory = factory);
        try
        {
            await pool.StartAsync().WaitAsync(Step);
            int worker = await pool.DispatchAsync<WhoAmIJob, int, int>(0).AsTask().WaitAsync(Step);
            return Outcome(worker == 0, $"worker {worker} ran a job; it imported {transport.DotnetUrl}")
                .With("dotnetUrl", transport.DotnetUrl)
                .With("timings", JsonNode.Parse(transport.GetStartTimings(0) ?? "{}"))
                .ToJsonString();
        }
        catch (Exception ex)
        {
            return Outcome(false, ex.ToString()).ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    /// <summary>
    /// Starts a pool of <paramref name="workers"/>, runs a job on each worker, and reports each worker's start timings
    /// (whether its runtime instantiated the module the page compiled: <c>moduleShared</c>).
    /// </summary>
    /// <param name="workers">Workers.</param>
    /// <param name="handover">Resource handover on or off.</param>
    /// <param name="shareModule">Module sharing on or off.</param>
    [JSExport]
    public static async Task<string> StartAndRunOnEach(int workers, bool handover, bool shareModule)
    {
        (WorkerPool pool, WebWorkerTransport transport) = PoolFactory.Create(workers, o => o.Strategy = WorkerSelectionStrategies.RoundRobin(), t =>
        {
            t.HandOverResources = handover;
            t.ShareCompiledModule = shareModule;
        });
        try
        {
            await pool.StartAsync().WaitAsync(Step);
            int[] ran = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => pool.DispatchAsync<WhoAmIJob, int, int>(i).AsTask())).WaitAsync(Step);
            var timings = new JsonArray();
            for (int i = 0; i < workers; i++)
            {
                timings.Add(JsonNode.Parse(transport.GetStartTimings(i) ?? "{}"));
            }

            bool everyWorker = ran.Distinct().Count() == workers;
            return Outcome(everyWorker, $"jobs ran on workers {string.Join(",", ran)}").With("timings", timings).ToJsonString();
        }
        catch (Exception ex)
        {
            return Outcome(false, ex.ToString()).ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    /// <summary>
    /// A pool from DI with <see cref="WebWorkerTransportOptions.StartEarly"/>: resolving it starts it (no dispatch, no
    /// <c>StartAsync</c>), its workers are created one at a time, and then each serves a job. Reports each worker's timings
    /// (page clock: <c>createdAtMs</c>, <c>readyAtMs</c>).
    /// </summary>
    /// <param name="workers">Workers.</param>
    [JSExport]
    public static async Task<string> StartEarlyFromDi(int workers)
    {
        var services = new ServiceCollection();
        services.AddAwsmScheduler("early", o =>
            {
                o.WorkerCount = workers;
                o.Strategy = WorkerSelectionStrategies.RoundRobin();
            })
            .ConfigureJobs(jobs => SampleJobs.Register(jobs))
            .UseWebWorkerTransport(o => o.StartEarly = true);
        await using ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            IWorkerPool pool = provider.GetRequiredKeyedService<IWorkerPool>("early"); // creating it starts it
            bool allReady = await WaitUntil(() => pool.GetStats().WorkersAlive == workers, Step);
            WorkerPoolStats before = pool.GetStats();
            int[] ran = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => pool.DispatchAsync<WhoAmIJob, int, int>(i).AsTask())).WaitAsync(Step);
            WebWorkerTransport transport = provider.GetWorkerTransport<WebWorkerTransport>("early");
            var timings = new JsonArray();
            for (int i = 0; i < workers; i++)
            {
                timings.Add(JsonNode.Parse(transport.GetStartTimings(i) ?? "{}"));
            }

            bool ok = allReady && before.Dispatched == 0 && ran.Distinct().Count() == workers;
            return Outcome(ok, $"all {workers} ready before any dispatch={allReady} (dispatched then: {before.Dispatched}); jobs ran on workers {string.Join(",", ran)}")
                .With("timings", timings)
                .ToJsonString();
        }
        catch (Exception ex)
        {
            return Outcome(false, ex.ToString()).ToJsonString();
        }
    }

    /// <summary>Starts a pool of <paramref name="workers"/> and reports how long it took (new Worker → all ready).</summary>
    [JSExport]
    public static async Task<string> MeasureStart(int workers, bool handover, bool shareModule)
    {
        (WorkerPool pool, WebWorkerTransport transport) = PoolFactory.Create(workers, null, t =>
        {
            t.HandOverResources = handover;
            t.ShareCompiledModule = shareModule;
        });
        try
        {
            var sw = Stopwatch.StartNew();
            await pool.StartAsync().WaitAsync(Step);
            double allMs = sw.Elapsed.TotalMilliseconds;
            var timings = new JsonArray();
            for (int i = 0; i < workers; i++)
            {
                timings.Add(JsonNode.Parse(transport.GetStartTimings(i) ?? "{}"));
            }

            return new JsonObject { ["ok"] = true, ["workers"] = workers, ["handover"] = handover, ["shareModule"] = shareModule, ["allReadyMs"] = allMs, ["timings"] = timings }.ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    /// <summary>Sequential ping-pong of a small echo job through the pool: page C# → worker C# → page C#.</summary>
    [JSExport]
    public static Task<string> MeasureRoundTrip(int count, int size) => WithPool(1, null, async (pool, _) =>
    {
        var payload = new byte[size];
        for (int i = 0; i < 300; i++)
        {
            await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload);
        }

        JsonObject result = await LatencySamples.MeasureAsync(count, async () => await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload));
        result["size"] = size;
        return result;
    });

    /// <summary>
    /// Sequential ping-pong through the bare transport (no pool): Send → worker → the writer. Splits the round trip into
    /// transport cost and pool cost.
    /// </summary>
    [JSExport]
    public static async Task<string> MeasureTransportRoundTrip(int count, int size)
    {
        var transport = new WebWorkerTransport();
        try
        {
            var events = new ChannelEventWriter();
            var context = new Transport.WorkerTransportContext("bare", 1, SampleJobs.CreatePageRegistry(), TimeProvider.System, PoolFactory.Logs, null) { Writer = events };
            await transport.InitializeAsync(context, CancellationToken.None);
            await transport.StartWorkerAsync(0, 1, CancellationToken.None);
            Transport.WorkerEvent ready = await events.Events.ReadAsync().AsTask().WaitAsync(Step);
            if (ready.Kind != Transport.WorkerEventKind.Ready)
            {
                return Outcome(false, $"worker not ready: {ready.Kind} {ready.Message}").ToJsonString();
            }

            var payload = Transport.JobPayload.FromBytes(new byte[size]);
            long id = 0;
            async Task OnceAsync()
            {
                transport.Send(0, Transport.WorkerMessage.Job(new JobId(++id), EchoJob.Name, payload));
                Transport.WorkerEvent e = await events.Events.ReadAsync();
                if (e.Kind != Transport.WorkerEventKind.Result || e.JobId.Value != id)
                {
                    throw new InvalidOperationException($"unexpected {e.Kind} for job {e.JobId}: {e.Message}");
                }
            }

            for (int i = 0; i < 300; i++)
            {
                await OnceAsync();
            }

            JsonObject result = await LatencySamples.MeasureAsync(count, OnceAsync);
            result["size"] = size;
            return result.ToJsonString();
        }
        catch (Exception ex)
        {
            return Outcome(false, ex.ToString()).ToJsonString();
        }
        finally
        {
            await transport.DisposeAsync();
        }
    }

    private static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    private static async Task<string> WithPool(int workers, Action<WorkerPoolOptions>? configure, Func<WorkerPool, WebWorkerTransport, Task<JsonObject>> scenario)
    {
        (WorkerPool pool, WebWorkerTransport transport) = PoolFactory.Create(workers, configure);
        try
        {
            await pool.StartAsync().WaitAsync(TimeSpan.FromSeconds(45));
            return (await scenario(pool, transport)).ToJsonString();
        }
        catch (Exception ex)
        {
            return Outcome(false, ex.ToString()).ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    private static JsonObject Outcome(bool ok, string message) => new() { ["ok"] = ok, ["message"] = message };

    private static JsonObject With(this JsonObject o, string key, JsonNode? value)
    {
        o[key] = value;
        return o;
    }

    private static JsonObject With(this JsonObject o, string key, string? value)
    {
        o[key] = value;
        return o;
    }

    private static JsonObject With(this JsonObject o, string key, double value)
    {
        o[key] = value;
        return o;
    }
}
