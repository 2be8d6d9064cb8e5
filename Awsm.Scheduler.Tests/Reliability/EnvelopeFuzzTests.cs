using System.Text;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Awsm.Scheduler.Testing;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// Hostile envelopes (random and mutated wire fields) injected while real jobs run: the pool never faults, no job ends
/// twice, real jobs end with their result or a typed error, and the pool keeps serving. Job ids are predicted: the pool
/// numbers accepted dispatches 1, 2, 3, … and these tests dispatch from one thread.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class EnvelopeFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string?, string?> HostileKindsAndIds => new()
    {
        { null, "1" },
        { string.Empty, "1" },
        { "RESULT", "1" },
        { "résult", "1" },
        { "job", "1" },
        { "cancel", "1" },
        { new string('k', 200_000), "1" },
        { WireProtocol.ResultKind, null },
        { WireProtocol.ResultKind, string.Empty },
        { WireProtocol.ResultKind, "-1" },
        { WireProtocol.ResultKind, "0" },
        { WireProtocol.ResultKind, " 1" },
        { WireProtocol.ResultKind, "1 " },
        { WireProtocol.ResultKind, "+1" },
        { WireProtocol.ResultKind, "0x1" },
        { WireProtocol.ResultKind, "1e0" },
        { WireProtocol.ResultKind, "١" },
        { WireProtocol.ResultKind, "9223372036854775808" },
        { WireProtocol.ResultKind, "18446744073709551617" },
        { WireProtocol.ResultKind, new string('9', 100_000) },
        { WireProtocol.ResultKind, "9223372036854775807" },
        { WireProtocol.ErrorKind, "1" },
        { WireProtocol.ErrorKind, "abc" },
    };

    [Theory]
    [MemberData(nameof(HostileKindsAndIds))]
    public async Task InjectEnvelope_HostileKindOrId_DroppedWhileHeldJobStaysPendingAndPoolServes(string? kind, string? id)
    {
        await using ReliabilityHarness h = await ReliabilityHarness.StartAsync(InProcPayloadMode.Serialized);
        Gate gate = Gate.Create();
        Task<string> held = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask(); // id 1
        int worker = await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);

        // An error envelope for id 1 from the right worker but with an unknown error kind is malformed too.
        h.Transport.InjectEnvelope(worker, kind, id, "2"u8.ToArray(), errorKind: "no-such-kind", errorType: new string('t', 10_000), message: null);

        // Events are routed in order: once a later job completed, the hostile envelope was handled.
        Assert.Equal(8, await h.Pool.DispatchAsync<AddOneJob, int, int>(7).AsTask().WaitAsync(ReliabilityHarness.Safety));
        Assert.False(held.IsCompleted, $"'{kind}'/'{id}' ended the held job");
        gate.Release.SetResult();
        Assert.Equal($"{gate.Key}@{worker}", await held.WaitAsync(ReliabilityHarness.Safety));
        AssertConsistent(h.Pool.GetStats(), completed: 2, failed: 0);
    }

    [Theory]
    [InlineData(InProcPayloadMode.Serialized)]
    [InlineData(InProcPayloadMode.ByReference)]
    public async Task InjectEnvelope_ForgedResultForPendingJob_CompletesItOnceAndTheRealResultIsDropped(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await ReliabilityHarness.StartAsync(mode);
        Gate gate = Gate.Create();
        Task<string> held = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        int worker = await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);
        string id = h.Transport.LastJobSentTo(worker)!.Value.ToString();

        h.Transport.InjectEnvelope(1 - worker, WireProtocol.ResultKind, id, "\"from the wrong worker\""u8.ToArray());
        Assert.Equal(2, await h.Pool.DispatchAsync<AddOneJob, int, int>(1).AsTask().WaitAsync(ReliabilityHarness.Safety));
        Assert.False(held.IsCompleted, "a result from the wrong worker was accepted");

        h.Transport.InjectEnvelope(worker, WireProtocol.ResultKind, id, "\"forged\""u8.ToArray());
        h.Transport.InjectEnvelope(worker, WireProtocol.ResultKind, id, "\"duplicate\""u8.ToArray());
        Assert.Equal("forged", await held.WaitAsync(ReliabilityHarness.Safety));

        gate.Release.SetResult();
        Assert.Equal(4, await h.Pool.DispatchAsync<AddOneJob, int, int>(3).AsTask().WaitAsync(ReliabilityHarness.Safety));
        AssertConsistent(h.Pool.GetStats(), completed: 3, failed: 0);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x00 })]
    [InlineData(new byte[] { (byte)'"', (byte)'a' })]
    [InlineData(new byte[] { (byte)'{' })]
    public async Task InjectEnvelope_GarbagePayloadForPendingJob_FailsItOnceWithJobSerializationException(byte[] payload)
    {
        await using ReliabilityHarness h = await ReliabilityHarness.StartAsync(InProcPayloadMode.Serialized);
        Gate gate = Gate.Create();
        Task<string> held = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        int worker = await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);

        h.Transport.InjectEnvelope(worker, WireProtocol.ResultKind, h.Transport.LastJobSentTo(worker)!.Value.ToString(), payload);

        JobSerializationException error = await Assert.ThrowsAsync<JobSerializationException>(() => held.WaitAsync(ReliabilityHarness.Safety));
        Assert.Equal(SerializationDirection.Output, error.Direction);
        gate.Release.SetResult();
        Assert.Equal(2, await h.Pool.DispatchAsync<AddOneJob, int, int>(1).AsTask().WaitAsync(ReliabilityHarness.Safety));
        AssertConsistent(h.Pool.GetStats(), completed: 1, failed: 1);
    }

    [Theory]
    [InlineData(InProcPayloadMode.Serialized)]
    [InlineData(InProcPayloadMode.ByReference)]
    public async Task InjectEnvelope_SeededRandomEnvelopesDuringRealJobs_EveryJobEndsOnceTypedAndPoolKeepsServing(InProcPayloadMode mode)
    {
        int seed = ReliabilityStorms.Seed();
        string replay = $"mode {mode}, seed {seed} (replay with AWSM_SOAK_SEED={seed})";
        output.WriteLine($"envelope fuzz: {replay}");
        using var unobserved = new UnobservedTaskExceptions();
        var random = new Random(seed);
        const int jobs = 3_000;
        const int workers = 2;

        var inner = new InProcTransport(new InProcTransportOptions { Mode = mode });
        var transport = new FaultInjectingTransport(inner);
        await using var pool = new WorkerPool(
            transport,
            ReliabilityJobs.Registry(),
            new WorkerPoolOptions { WorkerCount = workers, MaxInFlightPerWorker = 8, RespawnInitialDelay = TimeSpan.Zero, MaxRespawnAttempts = int.MaxValue },
            TimeProvider.System,
            services: new ReliabilityHarness.TransportServices(transport));
        await pool.StartAsync().WaitAsync(ReliabilityHarness.Safety);

        var real = new List<(int Value, Task<int> Task)>(jobs);
        var forged = new HashSet<long>();
        long injected = 0;
        for (int i = 1; i <= jobs; i++)
        {
            // Job i gets id i: one dispatch per iteration, from this thread.
            real.Add((i, pool.DispatchAsync<AddOneJob, int, int>(i).AsTask()));
            int hostile = random.Next(4);
            for (int k = 0; k < hostile; k++)
            {
                injected++;
                Inject(transport, random, workers, i, forged);
            }
        }

        var outcomes = new Dictionary<string, int>();
        var violations = new List<string>();
        foreach ((int value, Task<int> task) in real)
        {
            string outcome;
            try
            {
                int result = await task.WaitAsync(ReliabilityHarness.Safety);
                outcome = result == value + 1 ? "result" : forged.Contains(value) ? "forged-result" : $"WRONG RESULT {result}";
            }
            catch (TimeoutException)
            {
                outcome = "HUNG";
            }
            catch (SchedulerException ex)
            {
                outcome = ex is WorkerCrashedException || forged.Contains(value) ? ex.GetType().Name : $"unforged {ex.GetType().Name}: {ex.Message}";
            }
            catch (Exception ex)
            {
                outcome = $"untyped {ex.GetType().Name}: {ex.Message}";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome.StartsWith("WRONG", StringComparison.Ordinal) || outcome.StartsWith("HUNG", StringComparison.Ordinal) || outcome.StartsWith("un", StringComparison.Ordinal))
            {
                violations.Add($"job {value}: {outcome}");
            }
        }

        output.WriteLine($"{jobs} real jobs, {injected} hostile envelopes; " + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(violations.Count == 0, $"{replay}: {string.Join("; ", violations.Take(10))}");

        // The pool still serves, and its books balance: nothing ended twice, nothing is left.
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i + 1, await pool.DispatchAsync<AddOneJob, int, int>(i).AsTask().WaitAsync(ReliabilityHarness.Safety));
        }

        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(0, stats.Pending);
        Assert.Equal(jobs + 100, stats.Dispatched);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
        Assert.Equal(outcomes.GetValueOrDefault("result") + outcomes.GetValueOrDefault("forged-result") + 100, stats.Completed);
        await pool.StopAsync(PoolShutdownMode.Drain).WaitAsync(ReliabilityHarness.Safety);
        Assert.Equal(0, inner.LiveWorkerCount);
        unobserved.AssertNone(replay);
    }

    private static void Inject(FaultInjectingTransport transport, Random random, int workers, long lastId, HashSet<long> forged)
    {
        int worker = random.Next(20) switch
        {
            0 => -1,
            1 => workers,
            2 => int.MaxValue,
            _ => random.Next(workers),
        };
        string? kind = random.Next(30) switch
        {
            0 => null,
            1 => string.Empty,
            2 => "RESULT",
            3 => WireProtocol.JobKind,
            4 => WireProtocol.CancelKind,
            5 => new string('x', random.Next(1, 100_000)),
            6 => WireProtocol.ReadyKind,
            7 => WireProtocol.InitErrorKind,
            8 => RandomText(random, 12),
            < 20 => WireProtocol.ResultKind,
            _ => WireProtocol.ErrorKind,
        };

        // Mostly real ids: pending, just completed, or not yet used.
        long target = Math.Max(1, lastId - random.Next(16));
        string? id = random.Next(16) switch
        {
            0 => null,
            1 => string.Empty,
            2 => "-" + target,
            3 => " " + target,
            4 => target + " ",
            5 => "99999999999999999999",
            6 => new string('7', random.Next(20, 50_000)),
            7 => RandomText(random, 8),
            8 => (lastId + 1 + random.Next(100)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => target.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        byte[] payload = random.Next(8) switch
        {
            0 => [],
            1 => RandomBytes(random, random.Next(1, 64)),
            2 => Encoding.UTF8.GetBytes("{\"trunc"),
            3 => RandomBytes(random, 1 << 20),
            4 => Encoding.UTF8.GetBytes("\"a string\""),
            _ => Encoding.UTF8.GetBytes(random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        string? errorKind = random.Next(4) switch
        {
            0 => null,
            1 => RandomText(random, 10),
            _ => WireProtocol.ToWire((JobErrorKind)random.Next(5)),
        };
        string? message = random.Next(3) == 0 ? new string('m', random.Next(0, 100_000)) : null;

        // Any well-formed reply for a real id may end that job (a forger can always do that): note it.
        if (kind is WireProtocol.ResultKind or WireProtocol.ErrorKind && JobId.TryParse(id, out JobId parsed))
        {
            forged.Add(parsed.Value);
        }

        transport.InjectEnvelope(worker, kind, id, payload, errorKind, RandomText(random, 20), message);
    }

    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0x3000);
        }

        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static void AssertConsistent(WorkerPoolStats stats, long completed, long failed)
    {
        Assert.Equal(0, stats.Pending);
        Assert.Equal(completed, stats.Completed);
        Assert.Equal(failed, stats.Failed);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
    }
}
