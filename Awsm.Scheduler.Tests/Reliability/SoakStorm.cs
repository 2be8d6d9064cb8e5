using System.Collections.Concurrent;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// Drives a seeded storm of <see cref="SoakJob"/> dispatches through a pool, keeping a window of dispatches
/// outstanding, while it injects faults: jobs that crash their worker mid-job, crashes on a worker's next job (between
/// jobs), crashes from outside at any moment, slow jobs, jobs that hang until canceled or timed out, and callers that
/// cancel. Every dispatch's outcome is recorded once; a second ending of the same dispatch would be a violation.
/// </summary>
public sealed class SoakStorm(WorkerPool pool, FaultInjectingTransport transport, int workerCount, Random random)
{
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private long _faultsInjected;
    private int _nextValue;

    /// <summary>Gets how many dispatches ended with each outcome.</summary>
    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    /// <summary>Gets the dispatches that ended with an outcome their action does not allow.</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>Gets the faults injected: crashing and hanging jobs, outside crashes, crashes on next job, cancellations.</summary>
    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    /// <summary>Gets the dispatches whose outcome was recorded.</summary>
    public int Ended => _outcomes.Values.Sum();

    /// <summary>
    /// Runs <paramref name="jobs"/> dispatches with at most <paramref name="window"/> outstanding, and returns when every
    /// one has ended. <paramref name="midway"/> runs once, after half of them were dispatched (a dispose, say).
    /// </summary>
    public async Task RunAsync(int jobs, int window, bool disposing = false, Func<Task>? midway = null)
    {
        using var slots = new SemaphoreSlim(window);
        var tracking = new List<Task>(jobs);
        var toCancel = new List<CancellationTokenSource>();
        Task? midwayTask = null;
        for (int i = 0; i < jobs; i++)
        {
            if (!await slots.WaitAsync(ReliabilityHarness.Safety))
            {
                throw new TimeoutException($"no dispatch ended within {ReliabilityHarness.Safety} (a hang) after {i} dispatches");
            }

            if (i == jobs / 2 && midway is not null)
            {
                midwayTask = Task.Run(midway);
            }

            InjectOutsideFaults();
            SoakAction action = Pick();
            CancellationTokenSource? cts = null;
            bool cancelEarly = false;
            if (random.Next(20) == 0)
            {
                Interlocked.Increment(ref _faultsInjected);
                cts = new CancellationTokenSource();
                cancelEarly = random.Next(4) == 0;
                if (cancelEarly)
                {
                    cts.Cancel();
                }
                else
                {
                    toCancel.Add(cts);
                }
            }

            // Every input is new: strikes that bystanders of crashes collect (see WorkerPoolOptions.PoisonJobThreshold)
            // never add up to a quarantine, so any JobQuarantinedException would be a bug.
            int value = _nextValue++;
            Task<int> dispatch = pool.DispatchAsync<SoakJob, SoakInput, int>(new SoakInput(action, value), cts?.Token ?? default).AsTask();
            tracking.Add(TrackAsync(action, value, cancelEarly, cts, dispatch, slots, disposing));

            // Callers cancel in small bursts, some time after they dispatched: queued, in flight or already ended.
            if (toCancel.Count >= 8)
            {
                foreach (CancellationTokenSource source in toCancel)
                {
                    await source.CancelAsync();
                    source.Dispose();
                }

                toCancel.Clear();
            }
        }

        foreach (CancellationTokenSource source in toCancel)
        {
            await source.CancelAsync();
            source.Dispose();
        }

        await Task.WhenAll(tracking).WaitAsync(ReliabilityHarness.Safety);
        if (midwayTask is not null)
        {
            await midwayTask.WaitAsync(ReliabilityHarness.Safety);
        }
    }

    private async Task TrackAsync(SoakAction action, int value, bool cancelEarly, CancellationTokenSource? cts, Task<int> dispatch, SemaphoreSlim slots, bool disposing)
    {
        try
        {
            string outcome;
            try
            {
                // A token canceled before dispatch is refused up front: the pool never accepts (or counts) the job.
                outcome = cancelEarly && dispatch.IsCanceled ? "refused" : await OutcomeOf(dispatch.WaitAsync(ReliabilityHarness.Safety), value);
            }
            catch (TimeoutException)
            {
                outcome = "HUNG";
            }

            _outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
            if (!Allowed(action, cancelEarly, cts is not null, disposing, outcome))
            {
                _violations.Enqueue($"{action} #{value} (cancel: {cts is not null}, early: {cancelEarly}) ended as {outcome}");
            }
        }
        finally
        {
            // A token canceled later is disposed by the loop that cancels it.
            if (cancelEarly)
            {
                cts!.Dispose();
            }

            slots.Release();
        }
    }

    private void InjectOutsideFaults()
    {
        int roll = random.Next(2_000);
        if (roll < 2)
        {
            // Between jobs: the worker dies as it takes its next job, which is lost with it.
            Interlocked.Increment(ref _faultsInjected);
            try
            {
                transport.CrashOnNextJob(random.Next(workerCount));
            }
            catch (ObjectDisposedException)
            {
            }
        }
        else if (roll < 4)
        {
            // From outside, at any moment: idle, or holding jobs.
            Interlocked.Increment(ref _faultsInjected);
            transport.Crash(random.Next(workerCount), "outside crash");
        }
    }

    private SoakAction Pick()
    {
        SoakAction action = random.Next(1_000) switch
        {
            < 700 => SoakAction.Return,
            < 800 => SoakAction.Yield,
            < 900 => SoakAction.Throw,
            < 975 => SoakAction.Slow,
            < 980 => SoakAction.CrashWorker,
            _ => SoakAction.WaitForCancellation,
        };
        if (action is SoakAction.CrashWorker or SoakAction.WaitForCancellation)
        {
            Interlocked.Increment(ref _faultsInjected);
        }

        return action;
    }

    private static async Task<string> OutcomeOf(Task<int> task, int value)
    {
        try
        {
            int result = await task;
            return result == value + 1 ? "result" : $"WRONG RESULT {result}";
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
        catch (SchedulerDisposedException)
        {
            return "disposed";
        }
        catch (TimeoutException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return $"unexpected {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>
    /// Whatever the action, a job may be canceled (if it had a token), time out (under load), lose its worker to a
    /// crash, or (during a dispose) be refused or aborted. Beyond that each action has exactly one outcome of its own.
    /// </summary>
    private static bool Allowed(SoakAction action, bool cancelEarly, bool hadToken, bool disposing, string outcome)
    {
        if (cancelEarly)
        {
            return outcome == "refused";
        }

        switch (outcome)
        {
            case "canceled":
                return hadToken;
            case "timeout" or "crashed":
                return true;
            case "disposed":
                return disposing;
        }

        return action switch
        {
            SoakAction.Return or SoakAction.Yield or SoakAction.Slow => outcome == "result",
            SoakAction.Throw => outcome == "job-failed",
            _ => false,
        };
    }
}
