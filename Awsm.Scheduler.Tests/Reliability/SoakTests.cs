using System.Collections.Concurrent;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// Seeded storms of jobs with random faults (see <see cref="SoakStorm"/>) on a real clock, in every payload mode and
/// threading mode of the InProc transport. They prove that every dispatch ends exactly once with an outcome its action allows, that the pool's counters agree with what the callers
/// saw, that memory does not grow from round to round, and that nothing is left behind: no pending entry, no worker
/// thread, no unobserved task exception.
/// Size: AWSM_SOAK_JOBS, the total over the four mode combinations (default 200,000: 50,000 each); seed:
/// AWSM_SOAK_SEED (printed, and in every failure message). The 1,000,000-job run:
/// <c>AWSM_SOAK_JOBS=1000000 dotnet test Awsm.Scheduler.Tests --filter "FullyQualifiedName~Reliability.SoakTests.DispatchAsync_SeededFaultStorm"</c>.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Rounds = 5;

    [Theory]
    [InlineData(InProcPayloadMode.Serialized, InProcThreading.DedicatedThreads)]
    [InlineData(InProcPayloadMode.ByReference, InProcThreading.DedicatedThreads)]
    [InlineData(InProcPayloadMode.Serialized, InProcThreading.ThreadPool)]
    [InlineData(InProcPayloadMode.ByReference, InProcThreading.ThreadPool)]
    [InlineData(InProcPayloadMode.Serialized, InProcThreading.Adaptive)]
    public async Task DispatchAsync_SeededFaultStorm_EveryDispatchEndsExactlyOnceAndNothingLeaks(InProcPayloadMode mode, InProcThreading threading)
    {
        const int combinations = 5;
        int jobs = ReliabilityStorms.Jobs(200_000) / combinations;
        int seed = ReliabilityStorms.Seed();
        string replay = $"mode {mode}, {threading}, seed {seed} (replay with AWSM_SOAK_SEED={seed} AWSM_SOAK_JOBS={jobs * combinations})";
        output.WriteLine($"soak: {jobs} jobs, {replay}");
        using var unobserved = new UnobservedTaskExceptions();
        var random = new Random(seed);
        const int workers = 4;

        var inner = new InProcTransport(new InProcTransportOptions { Mode = mode, Threading = threading });
        var transport = new FaultInjectingTransport(inner);
        var pool = new WorkerPool(
            transport,
            ReliabilityJobs.Registry(),
            new WorkerPoolOptions
            {
                Name = $"soak-{mode}-{threading}",
                WorkerCount = workers,
                MaxInFlightPerWorker = 16,
                QueueCapacity = 256,
                JobTimeout = TimeSpan.FromMilliseconds(100),
                RespawnInitialDelay = TimeSpan.Zero,
                RespawnMaxDelay = TimeSpan.FromMilliseconds(1),
                MaxRespawnAttempts = int.MaxValue,
            },
            TimeProvider.System,
            services: new ReliabilityHarness.TransportServices(transport));
        await pool.StartAsync().WaitAsync(ReliabilityHarness.Safety);
        var storm = new SoakStorm(pool, transport, workers, random);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        long memoryAfterFirstRound = 0;
        long memoryAfterLastRound = 0;
        for (int round = 1; round <= Rounds; round++)
        {
            int size = (jobs / Rounds) + (round == Rounds ? jobs % Rounds : 0);
            await storm.RunAsync(size, window: 256);

            // Between rounds nothing is held for jobs that ended.
            Assert.True(0 == pool.PendingCount, $"round {round}: {pool.PendingCount} pending; {replay}");
            Assert.Equal(0, pool.CancelingCount);
            Assert.True(pool.PoisonJobs!.Count <= pool.PoisonJobs.Capacity);
            long memory = GC.GetTotalMemory(forceFullCollection: true);
            output.WriteLine($"round {round}: {size} jobs, {clock.Elapsed.TotalSeconds:0.0} s, heap {memory / 1024} KiB, strikes tracked {pool.PoisonJobs.Count}");
            if (round == 1)
            {
                memoryAfterFirstRound = memory;
            }

            memoryAfterLastRound = memory;
        }

        WorkerPoolStats stats = pool.GetStats();
        IReadOnlyDictionary<string, int> outcomes = storm.Outcomes;
        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        output.WriteLine($"pool: dispatched {stats.Dispatched}, completed {stats.Completed}, failed {stats.Failed}, canceled {stats.Canceled}, timed out {stats.TimedOut}, crashes {stats.Workers.Sum(w => w.Crashes)}, faults injected {storm.FaultsInjected}, jobs lost 0, {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.True(storm.Violations.Count == 0, $"{replay}: {string.Join("; ", storm.Violations.Take(10))}");
        Assert.Equal(jobs, storm.Ended);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, stats.QueueDepth);
        Assert.Equal(outcomes.GetValueOrDefault("result"), stats.Completed);
        Assert.Equal(outcomes.GetValueOrDefault("timeout"), stats.TimedOut);
        Assert.Equal(outcomes.GetValueOrDefault("canceled"), stats.Canceled);
        Assert.Equal(outcomes.GetValueOrDefault("job-failed") + outcomes.GetValueOrDefault("crashed"), stats.Failed);
        Assert.Equal(jobs - outcomes.GetValueOrDefault("refused"), stats.Dispatched);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
        Assert.True(stats.Workers.Sum(w => w.Crashes) > 0, $"the storm crashed no worker; {replay}");

        // Rounds 2 to 5 ran four times the jobs of round 1: a per-job leak of even a few dozen bytes would show.
        long growth = memoryAfterLastRound - memoryAfterFirstRound;
        Assert.True(growth < 8 * 1024 * 1024, $"the heap grew by {growth / 1024} KiB from round 1 to round {Rounds}; {replay}");

        await pool.DisposeAsync().AsTask().WaitAsync(ReliabilityHarness.Safety);
        Assert.Equal(0, inner.LiveWorkerCount);
        Assert.Equal(0, pool.PendingCount);
        unobserved.AssertNone(replay);
    }

    [Theory]
    [InlineData(InProcPayloadMode.Serialized, PoolShutdownMode.Drain, InProcThreading.DedicatedThreads)]
    [InlineData(InProcPayloadMode.Serialized, PoolShutdownMode.Abort, InProcThreading.ThreadPool)]
    [InlineData(InProcPayloadMode.ByReference, PoolShutdownMode.Drain, InProcThreading.ThreadPool)]
    [InlineData(InProcPayloadMode.ByReference, PoolShutdownMode.Abort, InProcThreading.DedicatedThreads)]
    public async Task StopAsync_MidStorm_EveryOutstandingDispatchEndsWithATypedOutcome(InProcPayloadMode mode, PoolShutdownMode shutdown, InProcThreading threading)
    {
        const int jobs = 10_000;
        int seed = ReliabilityStorms.Seed();
        string replay = $"mode {mode}, {shutdown}, {threading}, seed {seed} (replay with AWSM_SOAK_SEED={seed})";
        output.WriteLine($"stop mid-storm: {jobs} jobs, {replay}");
        using var unobserved = new UnobservedTaskExceptions();
        const int workers = 4;

        var inner = new InProcTransport(new InProcTransportOptions { Mode = mode, Threading = threading });
        var transport = new FaultInjectingTransport(inner);
        var pool = new WorkerPool(
            transport,
            ReliabilityJobs.Registry(),
            new WorkerPoolOptions
            {
                WorkerCount = workers,
                MaxInFlightPerWorker = 16,
                QueueCapacity = 128,
                JobTimeout = TimeSpan.FromMilliseconds(100),
                ShutdownTimeout = TimeSpan.FromMilliseconds(50),
                RespawnInitialDelay = TimeSpan.Zero,
                MaxRespawnAttempts = int.MaxValue,
            },
            TimeProvider.System,
            services: new ReliabilityHarness.TransportServices(transport));
        await pool.StartAsync().WaitAsync(ReliabilityHarness.Safety);
        var storm = new SoakStorm(pool, transport, workers, new Random(seed));

        // The stop lands while the window is full; dispatching goes on after it and must be refused, not hang.
        await storm.RunAsync(jobs, window: 512, disposing: true, midway: () => shutdown == PoolShutdownMode.Drain ? pool.DisposeAsync().AsTask() : pool.StopAsync(PoolShutdownMode.Abort));

        output.WriteLine(string.Join(", ", storm.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(storm.Violations.Count == 0, $"{replay}: {string.Join("; ", storm.Violations.Take(10))}");
        Assert.Equal(jobs, storm.Ended);
        Assert.True(storm.Outcomes.GetValueOrDefault("disposed") > 0, $"nothing was refused after the stop; {replay}");

        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(0, stats.Pending);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
        Assert.Equal(0, inner.LiveWorkerCount);
        unobserved.AssertNone(replay);
    }
}

/// <summary>
/// The storms run one at a time, apart from the other tests: they measure the heap and watch the process-wide
/// <see cref="TaskScheduler.UnobservedTaskException"/>, which other tests running alongside would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityStorms
{
    public const string Name = "Reliability storms";

    /// <summary>Gets AWSM_SOAK_JOBS, the soak's total over both payload modes, or <paramref name="defaultTotal"/>.</summary>
    public static int Jobs(int defaultTotal) =>
        int.TryParse(Environment.GetEnvironmentVariable("AWSM_SOAK_JOBS"), out int n) && n > 1 ? n : defaultTotal;

    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("AWSM_SOAK_SEED"), out int s) ? s : Random.Shared.Next();
}

/// <summary>Collects the task exceptions nobody observed while it is alive (after flushing older garbage).</summary>
public sealed class UnobservedTaskExceptions : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public UnobservedTaskExceptions()
    {
        Flush();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    /// <summary>Forces the finalizers that report unobserved exceptions to run, then asserts none was reported.</summary>
    public void AssertNone(string context)
    {
        Flush();
        Assert.True(_seen.IsEmpty, $"unobserved task exception(s): {string.Join("; ", _seen.Take(5).Select(e => e.InnerException?.ToString() ?? e.ToString()))}; {context}");
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private static void Flush()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => _seen.Enqueue(e.Exception);
}
