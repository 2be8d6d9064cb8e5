using Awsm.Scheduler.Testing.Internal;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing;

/// <summary>Starts: fail the next ones, hold a start's readiness (to drive a start timeout), count them.</summary>
public sealed partial class FaultInjectingTransport
{
    /// <summary>
    /// Makes the next <paramref name="count"/> starts of a worker fail: the inner transport is not asked, and the pool
    /// gets <see cref="WorkerEventKind.InitError"/> with <paramref name="reason"/>.
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="count">How many starts fail; 0 lifts a previous request.</param>
    /// <param name="reason">The init-error reason.</param>
    public void FailNextStarts(int workerIndex, int count = 1, string reason = "injected start failure")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            FaultSlot slot = SlotAt(workerIndex);
            slot.FailStarts = count;
            slot.FailStartReason = reason;
        }
    }

    /// <summary>
    /// Holds the readiness of the worker's starts from now on: the inner worker starts, but its
    /// <see cref="WorkerEventKind.Ready"/> is kept until <see cref="ReleaseStarts"/> (the way to drive a start timeout).
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    public void HoldStarts(int workerIndex)
    {
        lock (_gate)
        {
            SlotAt(workerIndex).HoldingStarts = true;
        }
    }

    /// <summary>Stops holding the worker's starts and passes on the held ready event, if its incarnation still lives.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void ReleaseStarts(int workerIndex)
    {
        int ready = -1;
        WorkerEventWriter? pool;
        lock (_gate)
        {
            FaultSlot slot = SlotAt(workerIndex);
            slot.HoldingStarts = false;
            if (slot.Alive && slot.HeldReadyIncarnation == slot.Incarnation)
            {
                ready = slot.Incarnation;
            }

            slot.HeldReadyIncarnation = -1;
            pool = _pool;
        }

        if (ready >= 0)
        {
            _ = pool?.TryWrite(ready, WorkerEvent.Ready(workerIndex));
        }
    }

    /// <summary>
    /// Completes when the current incarnation of the worker has reported ready and <see cref="HoldStarts"/> keeps that
    /// event from the pool: the worker did start, and the pool waits for a ready it gets only on
    /// <see cref="ReleaseStarts"/>. The signal to wait for before advancing a fake clock past a start timeout, since a
    /// transport may start a worker asynchronously (over a network) after the pool asked for it.
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the worker's ready is held.</returns>
    public Task WhenReadyHeldAsync(int workerIndex, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FaultSlot slot = SlotAt(workerIndex);
            if (slot.HeldReadyIncarnation == slot.Incarnation)
            {
                return Task.CompletedTask;
            }

            slot.ReadyHeld ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return slot.ReadyHeld.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Gets how many times the pool started a worker (the first start and every respawn, failed ones included).</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <returns>The count.</returns>
    public int StartCount(int workerIndex)
    {
        lock (_gate)
        {
            return SlotAt(workerIndex).Starts;
        }
    }
}
