using System.Diagnostics;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Awsm.Scheduler.Samples.Browser.Jobs;
using Awsm.Scheduler.Transport;
using Awsm.Scheduler.WebWorker;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>
/// The .NET half of the benchmark page (<c>bench.html</c>, driven by <c>wwwroot/bench.js</c>): round trip with one job in
/// flight and throughput with many in flight, through the pool and through the bare transport (no pool), always with one
/// web worker and a 16 B <see cref="EchoJob"/>, the same ping-pong the plain JS worker in bench.js does. Each returns JSON.
/// </summary>
[SupportedOSPlatform("browser")]
public static partial class BenchHooks
{
    private const int Warmup = 300;

    /// <summary>Sequential ping-pong through the pool: page C# → worker C# → page C#.</summary>
    /// <param name="count">Measured round trips.</param>
    /// <param name="size">Payload bytes.</param>
    /// <returns>JSON: <c>medianUs</c>, <c>p99Us</c>, <c>meanUs</c>.</returns>
    [JSExport]
    public static Task<string> PoolRoundTrip(int count, int size) => WithPool(async pool =>
    {
        var payload = new byte[size];
        for (int i = 0; i < Warmup; i++)
        {
            await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload);
        }

        return await LatencySamples.MeasureAsync(count, async () => await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload));
    });

    /// <summary>Keeps <paramref name="inFlight"/> echo jobs in flight through the pool until <paramref name="total"/> completed.</summary>
    /// <param name="total">Jobs to complete.</param>
    /// <param name="inFlight">Jobs kept in flight.</param>
    /// <param name="size">Payload bytes.</param>
    /// <returns>JSON: <c>jobsPerSecond</c>.</returns>
    [JSExport]
    public static Task<string> PoolThroughput(int total, int inFlight, int size) => WithPool(async pool =>
    {
        var payload = new byte[size];
        async Task Lane(int jobs)
        {
            for (int i = 0; i < jobs; i++)
            {
                await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Lane(Warmup / inFlight + 1)));
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Lane(total / inFlight)));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return Throughput(total / inFlight * inFlight, elapsed);
    });

    /// <summary>Sequential ping-pong through the bare transport (no pool): <c>Send</c> → worker → the writer.</summary>
    /// <param name="count">Measured round trips.</param>
    /// <param name="size">Payload bytes.</param>
    /// <returns>JSON: <c>medianUs</c>, <c>p99Us</c>, <c>meanUs</c>.</returns>
    [JSExport]
    public static Task<string> TransportRoundTrip(int count, int size) => WithTransport(async (transport, events) =>
    {
        var payload = JobPayload.FromBytes(new byte[size]);
        long id = 0;
        async Task OnceAsync()
        {
            transport.Send(0, WorkerMessage.Job(new JobId(++id), EchoJob.Name, payload));
            Check(await events.Events.ReadAsync(), id);
        }

        for (int i = 0; i < Warmup; i++)
        {
            await OnceAsync();
        }

        return await LatencySamples.MeasureAsync(count, OnceAsync);
    });

    /// <summary>Keeps <paramref name="inFlight"/> jobs in flight through the bare transport: one new job per result.</summary>
    /// <param name="total">Jobs to complete.</param>
    /// <param name="inFlight">Jobs kept in flight.</param>
    /// <param name="size">Payload bytes.</param>
    /// <returns>JSON: <c>jobsPerSecond</c>.</returns>
    [JSExport]
    public static Task<string> TransportThroughput(int total, int inFlight, int size) => WithTransport(async (transport, events) =>
    {
        var payload = JobPayload.FromBytes(new byte[size]);
        long sent = 0;
        async Task RunAsync(int jobs)
        {
            int done = 0;
            for (int i = 0; i < inFlight; i++)
            {
                transport.Send(0, WorkerMessage.Job(new JobId(++sent), EchoJob.Name, payload));
            }

            int toSend = jobs - inFlight;
            while (done < jobs)
            {
                WorkerEvent e = await events.Events.ReadAsync();
                if (e.Kind != WorkerEventKind.Result)
                {
                    throw new InvalidOperationException($"unexpected {e.Kind}: {e.Message}");
                }

                done++;
                if (toSend-- > 0)
                {
                    transport.Send(0, WorkerMessage.Job(new JobId(++sent), EchoJob.Name, payload));
                }
            }
        }

        await RunAsync(Warmup);
        long start = Stopwatch.GetTimestamp();
        await RunAsync(total);
        return Throughput(total, Stopwatch.GetElapsedTime(start));
    });

    /// <summary>
    /// The bare transport round trip plus one thread-pool hop per reply (<c>await Task.Yield()</c> right after the event
    /// arrived), which is what the pool pays to complete the caller's task: minus the bare round trip, the price of a hop
    /// out of a JS event in single-threaded WebAssembly (a <c>setTimeout(0)</c> macrotask).
    /// </summary>
    /// <param name="count">Measured round trips.</param>
    /// <param name="size">Payload bytes.</param>
    /// <returns>JSON: <c>medianUs</c>, <c>p99Us</c>, <c>meanUs</c>.</returns>
    [JSExport]
    public static Task<string> TransportRoundTripWithHop(int count, int size) => WithTransport(async (transport, events) =>
    {
        var payload = JobPayload.FromBytes(new byte[size]);
        long id = 0;
        async Task OnceAsync()
        {
            transport.Send(0, WorkerMessage.Job(new JobId(++id), EchoJob.Name, payload));
            Check(await events.Events.ReadAsync(), id);
            await Task.Yield();
        }

        for (int i = 0; i < Warmup; i++)
        {
            await OnceAsync();
        }

        return await LatencySamples.MeasureAsync(count, OnceAsync);
    });

    /// <summary>
    /// The interop floor on the page: <paramref name="count"/> calls of a [JSImport] shaped like the transport's <c>postJob</c>
    /// (ints, a number, a string, a 16 B MemoryView the JS side copies) to a JS function that only copies the view.
    /// </summary>
    /// <param name="count">Calls.</param>
    /// <returns>JSON: <c>nsPerCall</c>.</returns>
    [JSExport]
    public static string ImportCallCost(int count)
    {
        Span<byte> payload = stackalloc byte[16];
        for (int i = 0; i < 1000; i++)
        {
            PostJobShape(1, 0, i, EchoJob.Name, payload, null, null);
        }

        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            PostJobShape(1, 0, i, EchoJob.Name, payload, null, null);
        }

        double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / count;
        return new JsonObject { ["ok"] = true, ["nsPerCall"] = ns }.ToJsonString();
    }

    /// <summary>The other direction: JS calls this [JSExport] shaped like the transport's <c>OnResults</c> (bench.js times it).</summary>
    /// <param name="transport">Unused.</param>
    /// <param name="index">Unused.</param>
    /// <param name="generation">Unused.</param>
    /// <param name="meta">Read.</param>
    /// <param name="data">Read.</param>
    /// <returns>A value so that nothing is optimised away.</returns>
    [JSExport]
    public static int OnResultsShape(int transport, int index, int generation, double[] meta, byte[] data) =>
        transport + index + generation + meta.Length + data.Length;

    [JSImport("postJobShape", "sample-bench")]
    private static partial void PostJobShape(int transport, int index, double id, string name, [JSMarshalAs<JSType.MemoryView>] Span<byte> payload, string? traceParent, string? traceState);

    /// <summary>Starts a pool of <paramref name="workers"/> and reports how long it took (<c>StartAsync</c> → all ready).</summary>
    /// <param name="workers">Workers.</param>
    /// <param name="handover">Resource handover on or off.</param>
    /// <param name="shareModule">Module sharing (<see cref="WebWorkerTransportOptions.ShareCompiledModule"/>) on or off.</param>
    /// <returns>JSON: <c>allReadyMs</c> and each worker's timings.</returns>
    [JSExport]
    public static async Task<string> Start(int workers, bool handover, bool shareModule)
    {
        (WorkerPool pool, WebWorkerTransport transport) = PoolFactory.Create(
            workers,
            null,
            t =>
            {
                t.HandOverResources = handover;
                t.ShareCompiledModule = shareModule;
            },
            "bench");
        try
        {
            long t0 = Stopwatch.GetTimestamp();
            await pool.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            double allMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var timings = new JsonArray();
            for (int i = 0; i < workers; i++)
            {
                timings.Add(JsonNode.Parse(transport.GetStartTimings(i) ?? "{}"));
            }

            return new JsonObject { ["ok"] = true, ["allReadyMs"] = allMs, ["timings"] = timings }.ToJsonString();
        }
        catch (Exception ex)
        {
            return new JsonObject { ["ok"] = false, ["message"] = ex.ToString() }.ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    private static void Check(WorkerEvent e, long id)
    {
        if (e.Kind != WorkerEventKind.Result || e.JobId.Value != id)
        {
            throw new InvalidOperationException($"unexpected {e.Kind} for job {e.JobId} (expected {id}): {e.Message}");
        }
    }

    private static JsonObject Throughput(int jobs, TimeSpan elapsed) =>
        new() { ["ok"] = true, ["jobs"] = jobs, ["ms"] = elapsed.TotalMilliseconds, ["jobsPerSecond"] = jobs / elapsed.TotalSeconds };

    private static async Task<string> WithPool(Func<WorkerPool, Task<JsonObject>> measure)
    {
        (WorkerPool pool, _) = PoolFactory.Create(1, o => o.MaxInFlightPerWorker = 64, null, "bench");
        try
        {
            await pool.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (await measure(pool)).ToJsonString();
        }
        catch (Exception ex)
        {
            return new JsonObject { ["ok"] = false, ["message"] = ex.ToString() }.ToJsonString();
        }
        finally
        {
            await PoolFactory.StopAsync(pool);
        }
    }

    private static async Task<string> WithTransport(Func<WebWorkerTransport, ChannelEventWriter, Task<JsonObject>> measure)
    {
        var transport = new WebWorkerTransport();
        try
        {
            var events = new ChannelEventWriter();
            var context = new WorkerTransportContext("bench-bare", 1, SampleJobs.CreatePageRegistry(), TimeProvider.System, PoolFactory.Logs, null) { Writer = events };
            await transport.InitializeAsync(context, CancellationToken.None);
            await transport.StartWorkerAsync(0, 1, CancellationToken.None);
            WorkerEvent ready = await events.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (ready.Kind != WorkerEventKind.Ready)
            {
                throw new InvalidOperationException($"worker not ready: {ready.Kind} {ready.Message}");
            }

            return (await measure(transport, events)).ToJsonString();
        }
        catch (Exception ex)
        {
            return new JsonObject { ["ok"] = false, ["message"] = ex.ToString() }.ToJsonString();
        }
        finally
        {
            await transport.DisposeAsync();
        }
    }
}
