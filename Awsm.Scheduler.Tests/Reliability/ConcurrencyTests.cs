using System.Collections.Concurrent;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// Many threads dispatch while workers crash and the pool is disposed under them. Nothing may deadlock: every await is
/// bounded, and a bound that expires fails the test. Nothing may go unobserved.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(InProcPayloadMode.Serialized, PoolShutdownMode.Drain)]
    [InlineData(InProcPayloadMode.ByReference, PoolShutdownMode.Abort)]
    public async Task DispatchAsync_ManyThreadsWhileWorkersCrashAndPoolStops_NoDeadlockAndEveryDispatchEnds(InProcPayloadMode mode, PoolShutdownMode shutdown)
    {
        int seed = ReliabilityStorms.Seed();
        string replay = $"mode {mode}, {shutdown}, seed {seed} (replay with AWSM_SOAK_SEED={seed})";
        output.WriteLine(replay);
        using var unobserved = new UnobservedTaskExceptions();
        const int threads = 8;
        const int workers = 3;

        var inner = new InProcTransport(new InProcTransportOptions { Mode = mode });
        var transport = new FaultInjectingTransport(inner);
        var pool = new WorkerPool(
            transport,
            ReliabilityJobs.Registry(),
            new WorkerPoolOptions { WorkerCount = workers, MaxInFlightPerWorker = 4, QueueCapacity = 32, RespawnInitialDelay = TimeSpan.Zero, MaxRespawnAttempts = int.MaxValue, ShutdownTimeout = TimeSpan.FromMilliseconds(20) },
            TimeProvider.System,
            services: new ReliabilityHarness.TransportServices(transport));
        await pool.StartAsync().WaitAsync(ReliabilityHarness.Safety);

        var outcomes = new ConcurrentDictionary<string, int>();
        var accepted = new CountdownEvent(threads);
        using var stop = new CancellationTokenSource();

        // Each thread dispatches until the pool refuses it, awaiting its jobs in small groups.
        Task[] dispatchers = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            var random = new Random(seed + t);
            bool signalled = false;
            for (int i = 0; ; i++)
            {
                var group = new Task<int>[random.Next(1, 16)];
                for (int j = 0; j < group.Length; j++)
                {
                    SoakAction action = random.Next(50) == 0 ? SoakAction.CrashWorker : random.Next(10) == 0 ? SoakAction.Slow : SoakAction.Return;
                    group[j] = pool.DispatchAsync<SoakJob, SoakInput, int>(new SoakInput(action, (t * 10_000_000) + (i * 16) + j)).AsTask();
                }

                bool refused = false;
                foreach (Task<int> job in group)
                {
                    string outcome = await OutcomeOf(job);
                    outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
                    refused |= outcome == "disposed";
                }

                if (!signalled && i >= 20)
                {
                    signalled = true;
                    accepted.Signal();
                }

                if (refused && stop.IsCancellationRequested)
                {
                    if (!signalled)
                    {
                        accepted.Signal();
                    }

                    return;
                }
            }
        })).ToArray();

        // Crash workers from outside while the threads dispatch, then stop the pool under them.
        Task chaos = Task.Run(() =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                transport.Crash(random.Next(workers), "concurrency crash");
                Thread.Yield();
            }
        });

        Assert.True(accepted.Wait(ReliabilityHarness.Safety), $"the dispatchers made no progress; {replay}");
        Task stopping = shutdown == PoolShutdownMode.Drain ? pool.DisposeAsync().AsTask() : pool.StopAsync(PoolShutdownMode.Abort);
        await stop.CancelAsync();
        await stopping.WaitAsync(ReliabilityHarness.Safety);
        await Task.WhenAll(dispatchers).WaitAsync(ReliabilityHarness.Safety);
        await chaos.WaitAsync(ReliabilityHarness.Safety);

        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        Assert.DoesNotContain(outcomes.Keys, k => k.StartsWith("BAD", StringComparison.Ordinal));
        Assert.True(outcomes.GetValueOrDefault("crashed") > 0, $"no job lost its worker; {replay}");
        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(0, stats.Pending);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
        Assert.Equal(outcomes.GetValueOrDefault("result"), stats.Completed);
        Assert.Equal(0, inner.LiveWorkerCount);
        accepted.Dispose();
        unobserved.AssertNone(replay);
    }

    private static async Task<string> OutcomeOf(Task<int> job)
    {
        try
        {
            await job.WaitAsync(ReliabilityHarness.Safety);
            return "result";
        }
        catch (WorkerCrashedException)
        {
            return "crashed";
        }
        catch (SchedulerDisposedException)
        {
            return "disposed";
        }
        catch (Exception ex)
        {
            // A TimeoutException here is a hang.
            return $"BAD {ex.GetType().Name}: {ex.Message}";
        }
    }
}
