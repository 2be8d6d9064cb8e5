using Awsm.Scheduler.Testing.Internal;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing;

/// <summary>Crashes: now, or on the worker's next job.</summary>
public sealed partial class FaultInjectingTransport
{
    /// <summary>
    /// Crashes a worker now: the inner worker is terminated, <see cref="WorkerEventKind.Crashed"/> is reported with
    /// <paramref name="reason"/>, and nothing that incarnation sends afterwards reaches the pool.
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="reason">The crash reason the pool reports.</param>
    /// <returns><see langword="true"/> if a live worker was crashed; <see langword="false"/> if it was not running.</returns>
    public bool Crash(int workerIndex, string reason = "injected crash")
    {
        ArgumentNullException.ThrowIfNull(reason);
        return CrashCore(workerIndex, reason, onlyIfAlive: true);
    }

    /// <summary>
    /// Makes the worker at <paramref name="workerIndex"/> crash when the next job envelope is sent to it (this
    /// incarnation or a later one): the job never reaches it and fails with the crash.
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    public void CrashOnNextJob(int workerIndex)
    {
        lock (_gate)
        {
            SlotAt(workerIndex).CrashOnNextJob = true;
        }
    }

    private bool CrashCore(int workerIndex, string reason, bool onlyIfAlive)
    {
        int incarnation;
        lock (_gate)
        {
            if (_disposed || _pool is null)
            {
                return false;
            }

            FaultSlot slot = SlotAt(workerIndex);
            if (onlyIfAlive && !slot.Alive)
            {
                return false;
            }

            slot.Alive = false;
            incarnation = slot.Incarnation;
            DropHeldOf(workerIndex);
        }

        // From here the incarnation is deaf and mute to the pool (the decorator drops what it says). It is terminated for
        // real before its crash is reported: the crash lets the pool respawn the index, and the inner transport must not
        // see that start before this terminate (which would then stop the new incarnation).
        WorkerEventWriter pool = _pool;
        ValueTask termination;
        try
        {
            termination = Inner.TerminateWorkerAsync(workerIndex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            termination = ValueTask.FromException(ex);
        }

        if (termination.IsCompleted)
        {
            ObserveQuietly(termination);
            ReportCrash(pool, incarnation, workerIndex, reason);
            return true;
        }

        Task terminating = CompleteCrashAsync(termination, pool, incarnation, workerIndex, reason);
        lock (_gate)
        {
            _slots[workerIndex].Terminating = terminating;
        }

        return true;
    }

    private async Task CompleteCrashAsync(ValueTask termination, WorkerEventWriter pool, int incarnation, int workerIndex, string reason)
    {
        try
        {
            await termination.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The incarnation is dropped either way; the crash is what the pool must hear.
        }

        ReportCrash(pool, incarnation, workerIndex, reason);
    }

    private void ReportCrash(WorkerEventWriter pool, int incarnation, int workerIndex, string reason)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
        }

        _ = pool.TryWrite(incarnation, WorkerEvent.Crashed(workerIndex, reason));
    }

    private static void ObserveQuietly(ValueTask termination)
    {
        try
        {
            termination.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // See CompleteCrashAsync.
        }
    }
}
