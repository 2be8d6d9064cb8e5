using System.Diagnostics;
using System.Globalization;
using Awsm.Scheduler.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>
/// The Redis transport beside its floor, measured in the same run against the same server: a raw StackExchange.Redis
/// ping-pong through one stream each way (XADD and a pub/sub ring, the reader woken, XREAD, the same back), with 64
/// and with 1 in flight. Targets: throughput at least 0.7× the floor's, round-trip p50 at most 1.5× the floor's.
/// </summary>
internal static class RedisBench
{
    private const int Payload = 64;

    public static async Task<int> RunAsync(string endpoint, TimeSpan cell)
    {
        Console.WriteLine($"Redis transport vs raw stream ping-pong floor on {endpoint}, {cell.TotalSeconds:0.#} s per cell, {Payload}-byte payloads");
        Console.WriteLine($"{"case",-24}{"in flight",10}{"ops/s",12}{"p50 µs",10}{"p99 µs",10}");
        bool ok = true;
        foreach (int inFlight in new[] { 64, 1 })
        {
            (double floorRate, double floorP50, double floorP99) = await FloorAsync(endpoint, inFlight, cell);
            Print("floor (raw XADD/XREAD)", inFlight, floorRate, floorP50, floorP99);
            (double rate, double p50, double p99) = await TransportAsync(endpoint, inFlight, cell);
            Print("RedisTransport + pool", inFlight, rate, p50, p99);
            double rateRatio = rate / floorRate;
            double p50Ratio = p50 / floorP50;
            bool pass = rateRatio >= 0.7 && p50Ratio <= 1.5;
            ok &= pass;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  → throughput {rateRatio:0.00}× floor (target ≥ 0.70), p50 {p50Ratio:0.00}× floor (target ≤ 1.50): {(pass ? "PASS" : "MISS")}"));
        }

        return ok ? 0 : 1;
    }

    private static void Print(string name, int inFlight, double rate, double p50, double p99) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24}{inFlight,10}{rate,12:0}{p50,10:0}{p99,10:0}"));

    private static async Task<(double Rate, double P50, double P99)> FloorAsync(string endpoint, int inFlight, TimeSpan cell)
    {
        string id = Guid.NewGuid().ToString("N");
        RedisKey ping = $"bench:{{{id}}}:ping";
        RedisKey pong = $"bench:{{{id}}}:pong";
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(endpoint);
        await using ConnectionMultiplexer server = await ConnectionMultiplexer.ConnectAsync(endpoint);
        using var stop = new CancellationTokenSource();

        // The "worker": woken by a ring on its channel, reads the ping stream, answers on the pong stream.
        Task echo = PumpAsync(server, ping, pong, stop.Token, reply: true, onEntry: null);
        var pending = new System.Collections.Concurrent.ConcurrentDictionary<string, (long Start, TaskCompletionSource Done)>();
        Task reader = PumpAsync(client, pong, default, stop.Token, reply: false, onEntry: idValue =>
        {
            if (pending.TryRemove(idValue, out var p))
            {
                p.Done.TrySetResult();
            }
        });

        IDatabase db = client.GetDatabase();
        ISubscriber sub = client.GetSubscriber();
        RedisChannel bell = RedisChannel.Literal(ping.ToString());
        byte[] payload = new byte[Payload];
        long seq = 0;
        async Task<long> OneAsync()
        {
            string key = Interlocked.Increment(ref seq).ToString(CultureInfo.InvariantCulture);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            long start = Stopwatch.GetTimestamp();
            pending[key] = (start, done);
            _ = db.StreamAddAsync(ping, [new("id", key), new("p", payload)]);
            _ = sub.PublishAsync(bell, RedisValue.EmptyString, CommandFlags.FireAndForget);
            await done.Task;
            return Stopwatch.GetTimestamp() - start;
        }

        (double, double, double) result = await MeasureAsync(OneAsync, inFlight, cell);
        await stop.CancelAsync();
        await Task.WhenAll(echo, reader).ContinueWith(_ => { }, TaskScheduler.Default);
        await db.KeyDeleteAsync([ping, pong]);
        return result;
    }

    private static async Task PumpAsync(ConnectionMultiplexer connection, RedisKey from, RedisKey to, CancellationToken stop, bool reply, Action<string>? onEntry)
    {
        IDatabase db = connection.GetDatabase();
        ISubscriber sub = connection.GetSubscriber();
        var rings = System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
        await sub.SubscribeAsync(RedisChannel.Literal(from.ToString()), (_, _) => rings.Writer.TryWrite(true));
        RedisChannel back = RedisChannel.Literal(to.ToString() ?? string.Empty);
        RedisValue cursor = "0-0";
        try
        {
            while (await rings.Reader.WaitToReadAsync(stop))
            {
                rings.Reader.TryRead(out _);
                while (true)
                {
                    StreamEntry[] entries = await db.StreamReadAsync(from, cursor, 256);
                    if (entries.Length == 0)
                    {
                        break;
                    }

                    foreach (StreamEntry e in entries)
                    {
                        cursor = e.Id;
                        if (reply)
                        {
                            _ = db.StreamAddAsync(to, e.Values);
                            _ = sub.PublishAsync(back, RedisValue.EmptyString, CommandFlags.FireAndForget);
                        }
                        else
                        {
                            onEntry?.Invoke(e["id"].ToString());
                        }
                    }

                    _ = db.StreamDeleteAsync(from, [.. entries.Select(x => x.Id)], CommandFlags.FireAndForget);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<(double Rate, double P50, double P99)> TransportAsync(string endpoint, int inFlight, TimeSpan cell)
    {
        string prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services
            .AddAwsmSchedulerWorkerHost(o =>
            {
                o.Configuration = endpoint;
                o.KeyPrefix = prefix;
                o.MaxSlots = 1;
            })
            .ServePool("bench", r => r.Add<EchoJob, byte[], byte[]>(BenchJsonContext.Default));
        using IHost host = builder.Build();
        await host.StartAsync();

        var registry = new JobRegistry().Add<EchoJob, byte[], byte[]>(BenchJsonContext.Default);
        var transport = new RedisTransport(new RedisTransportOptions { Configuration = endpoint, KeyPrefix = prefix });
        var pool = new WorkerPool(transport, registry, new WorkerPoolOptions { Name = "bench", WorkerCount = 1, MaxInFlightPerWorker = 128, QueueCapacity = 1024 });
        await pool.StartAsync();
        byte[] payload = new byte[Payload];
        async Task<long> OneAsync()
        {
            long start = Stopwatch.GetTimestamp();
            await pool.DispatchAsync<EchoJob, byte[], byte[]>(payload);
            return Stopwatch.GetTimestamp() - start;
        }

        (double, double, double) result = await MeasureAsync(OneAsync, inFlight, cell);
        await pool.StopAsync(PoolShutdownMode.Drain);
        await pool.DisposeAsync();
        await host.StopAsync();
        return result;
    }

    private static async Task<(double Rate, double P50, double P99)> MeasureAsync(Func<Task<long>> one, int inFlight, TimeSpan cell)
    {
        // Warm-up: a fifth of the cell, not measured.
        await RunForAsync(one, inFlight, cell / 5, null);
        var samples = new List<long>(100_000);
        long start = Stopwatch.GetTimestamp();
        int count = await RunForAsync(one, inFlight, cell, samples);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        samples.Sort();
        double toMicros = 1_000_000.0 / Stopwatch.Frequency;
        return (count / seconds, samples[samples.Count / 2] * toMicros, samples[(int)(samples.Count * 0.99)] * toMicros);
    }

    private static async Task<int> RunForAsync(Func<Task<long>> one, int inFlight, TimeSpan duration, List<long>? samples)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        int count = 0;
        var gate = new Lock();
        async Task LaneAsync()
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                long elapsed = await one();
                lock (gate)
                {
                    samples?.Add(elapsed);
                    count++;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(LaneAsync)));
        return count;
    }
}

/// <summary>Returns its input bytes: the transport's cost with nothing else to do.</summary>
public sealed class EchoJob : IWorkerJob<byte[], byte[]>
{
    public static string Name => "bench.echo";

    public static ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context) => ValueTask.FromResult(input);
}
