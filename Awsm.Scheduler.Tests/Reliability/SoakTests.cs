using Awsm.Scheduler.InProc;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// A seeded storm of jobs with random crashes, failures, cancellations and timeouts. It proves that every dispatch
/// ends exactly once with an outcome its action allows, that the pool's counters agree with what the callers saw, and
/// that nothing is left behind. Size: AWSM_SOAK_JOBS (default 20,000 per mode); seed: AWSM_SOAK_SEED (printed).
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(InProcPayloadMode.Serialized, InProcThreading.DedicatedThreads)]
    [InlineData(InProcPayloadMode.ByReference, InProcThreading.DedicatedThreads)]
    [InlineData(InProcPayloadMode.Serialized, InProcThreading.ThreadPool)]
    [InlineData(InProcPayloadMode.ByReference, InProcThreading.ThreadPool)]
    public async Task DispatchAsync_SeededFaultStorm_EveryDispatchEndsExactlyOnceAndNothingLeaks(InProcPayloadMode mode, InProcThreading threading)
    {
        int jobs = int.TryParse(Environment.GetEnvironmentVariable("AWSM_SOAK_JOBS"), out int n) ? n : 20_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("AWSM_SOAK_SEED"), out int s) ? s : Random.Shared.Next();
        output.WriteLine($"soak: {jobs} jobs, mode {mode}, {threading}, seed {seed} (replay with AWSM_SOAK_SEED={seed})");
        var random = new Random(seed);

        var transport = new InProcTransport(new InProcTransportOptions { Mode = mode, Threading = threading });
        var services = new SingleServiceProvider(transport);
        var registry = new JobRegistry().Add<SoakJob, SoakInput, int>(SoakJsonContext.Default);
        var pool = new WorkerPool(
            transport,
            registry,
            new WorkerPoolOptions
            {
                WorkerCount = 4,
                MaxInFlightPerWorker = 16,
                QueueCapacity = 256,
                JobTimeout = TimeSpan.FromMilliseconds(250),
                RespawnInitialDelay = TimeSpan.Zero,
                RespawnMaxDelay = TimeSpan.FromMilliseconds(1),
                MaxRespawnAttempts = int.MaxValue,
            },
            TimeProvider.System,
            services: services);
        await pool.StartAsync();

        var outcomes = new Dictionary<string, int>();
        var violations = new List<string>();
        const int batch = 500;
        for (int start = 0; start < jobs; start += batch)
        {
            var running = new List<(SoakAction Action, bool CancelEarly, Task<int> Task, CancellationTokenSource? Cts)>();
            for (int i = start; i < Math.Min(jobs, start + batch); i++)
            {
                SoakAction action = Pick(random);
                CancellationTokenSource? cts = random.Next(10) == 0 ? new CancellationTokenSource() : null;
                bool cancelEarly = cts is not null && random.Next(2) == 0;
                if (cancelEarly)
                {
                    cts!.Cancel();
                }

                running.Add((action, cancelEarly, pool.DispatchAsync<SoakJob, SoakInput, int>(new SoakInput(action, i), cts?.Token ?? default).AsTask(), cts));
            }

            foreach (var job in running.Where(j => j.Cts is not null && !j.CancelEarly))
            {
                await job.Cts!.CancelAsync();
            }

            foreach (var (action, cancelEarly, task, cts) in running)
            {
                // A token cancelled before dispatch is refused up front: the pool never accepts (or counts) the job.
                string outcome = cancelEarly && task.IsCanceled ? "refused" : await Outcome(task);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (!Allowed(action, cancelEarly, cts is not null, outcome))
                {
                    violations.Add($"{action} (cancel: {cts is not null}, early: {cancelEarly}) ended as {outcome}");
                }

                cts?.Dispose();
            }
        }

        WorkerPoolStats stats = pool.GetStats();
        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        output.WriteLine($"pool: completed {stats.Completed}, failed {stats.Failed}, canceled {stats.Canceled}, timed out {stats.TimedOut}, crashes {stats.Workers.Sum(w => w.Crashes)}");

        Assert.Empty(violations.Take(10));
        Assert.Equal(jobs, outcomes.Values.Sum());
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, stats.QueueDepth);
        Assert.Equal(0, pool.PendingCount);
        Assert.Equal(outcomes.GetValueOrDefault("result"), stats.Completed);
        Assert.Equal(outcomes.GetValueOrDefault("timeout"), stats.TimedOut);
        Assert.Equal(outcomes.GetValueOrDefault("canceled"), stats.Canceled);
        Assert.Equal(jobs - outcomes.GetValueOrDefault("refused"), stats.Dispatched);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
        Assert.True(stats.Workers.Sum(w => w.Crashes) > 0, "the storm crashed no worker");

        await pool.DisposeAsync();
        Assert.Equal(0, transport.LiveThreads);
    }

    private static SoakAction Pick(Random random) => random.Next(100) switch
    {
        < 70 => SoakAction.Return,
        < 80 => SoakAction.Yield,
        < 90 => SoakAction.Throw,
        < 92 => SoakAction.CrashWorker,
        _ => SoakAction.WaitForCancellation,
    };

    private static async Task<string> Outcome(Task<int> task)
    {
        try
        {
            await task;
            return "result";
        }
        catch (OperationCanceledException)
        {
            return "canceled";
        }
        catch (JobTimeoutException)
        {
            return "timeout";
        }
        catch (WorkerCrashedException)
        {
            return "crashed";
        }
        catch (JobFailedException)
        {
            return "job-failed";
        }
        catch (Exception ex)
        {
            return $"unexpected {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>
    /// Whatever the action, a job may be cancelled (if it had a token), time out (under load), or lose its worker to
    /// another job's crash. Beyond that each action has exactly one outcome of its own.
    /// </summary>
    private static bool Allowed(SoakAction action, bool cancelEarly, bool hadToken, string outcome)
    {
        if (cancelEarly)
        {
            return outcome == "refused";
        }

        if (outcome == "canceled")
        {
            return hadToken;
        }

        if (outcome is "timeout" or "crashed")
        {
            return true;
        }

        return action switch
        {
            SoakAction.Return or SoakAction.Yield => outcome == "result",
            SoakAction.Throw => outcome == "job-failed",
            _ => false,
        };
    }

    private sealed class SingleServiceProvider(InProcTransport transport) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(InProcTransport) ? transport : null;
    }
}
