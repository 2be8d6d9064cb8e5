using System.Diagnostics;
using Awsm.Scheduler.Testing.Internal;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing;

/// <summary>Holds: pause a worker, hold jobs on their way in and replies on their way back, release them in order.</summary>
public sealed partial class FaultInjectingTransport
{
    private readonly List<HeldMessage> _heldMessages = [];
    private readonly List<HeldReply> _heldReplies = [];
    private readonly List<(int Count, bool Replies, TaskCompletionSource Done)> _heldWaiters = [];
    private bool _holdingAllJobs;
    private bool _holdingAllReplies;

    /// <summary>Gets how many job and cancel envelopes are held (by a pause or a job hold).</summary>
    public int HeldMessageCount
    {
        get
        {
            lock (_gate)
            {
                return _heldMessages.Count;
            }
        }
    }

    /// <summary>Gets how many results and errors are held.</summary>
    public int HeldReplyCount
    {
        get
        {
            lock (_gate)
            {
                return _heldReplies.Count;
            }
        }
    }

    /// <summary>Holds everything sent to a worker (jobs and cancels, in order) until <see cref="Resume"/>; what it runs goes on.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void Pause(int workerIndex)
    {
        lock (_gate)
        {
            SlotAt(workerIndex).Paused = true;
        }
    }

    /// <summary>Delivers what was held for a paused worker, in order, unless its incarnation died meanwhile.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void Resume(int workerIndex)
    {
        lock (_gate)
        {
            SlotAt(workerIndex).Paused = false;
        }

        FlushMessages();
    }

    /// <summary>
    /// Holds every job envelope sent from now on (to all workers, or to one) until <see cref="ReleaseJobs"/>. Cancel
    /// envelopes still pass, so a held job that is canceled runs when released and its late result is dropped.
    /// </summary>
    /// <param name="workerIndex">The worker, or <see langword="null"/> for all.</param>
    public void HoldJobs(int? workerIndex = null)
    {
        lock (_gate)
        {
            if (workerIndex is { } index)
            {
                SlotAt(index).HoldingJobs = true;
            }
            else
            {
                _holdingAllJobs = true;
            }
        }
    }

    /// <summary>
    /// Stops holding jobs (for all workers, or for one) and delivers the held ones in the order they were sent. A job
    /// held for an incarnation that has died is dropped; its crash already failed it.
    /// </summary>
    /// <param name="workerIndex">The worker, or <see langword="null"/> for all (which also lifts every per-worker hold).</param>
    public void ReleaseJobs(int? workerIndex = null)
    {
        lock (_gate)
        {
            if (workerIndex is { } index)
            {
                SlotAt(index).HoldingJobs = false;
            }
            else
            {
                _holdingAllJobs = false;
                foreach (FaultSlot slot in _slots)
                {
                    slot.HoldingJobs = false;
                }
            }
        }

        FlushMessages();
    }

    /// <summary>Holds every result and error from now on (from all workers, or from one) until <see cref="ReleaseReplies"/>.</summary>
    /// <param name="workerIndex">The worker, or <see langword="null"/> for all.</param>
    public void HoldReplies(int? workerIndex = null)
    {
        lock (_gate)
        {
            if (workerIndex is { } index)
            {
                SlotAt(index).HoldingReplies = true;
            }
            else
            {
                _holdingAllReplies = true;
            }
        }
    }

    /// <summary>
    /// Stops holding replies (from all workers, or from one) and writes the held ones to the pool, in order, with the
    /// incarnation that sent them. Replies of an incarnation that has died or been replaced meanwhile are dropped.
    /// </summary>
    /// <param name="workerIndex">The worker, or <see langword="null"/> for all (which also lifts every per-worker hold).</param>
    public void ReleaseReplies(int? workerIndex = null)
    {
        lock (_gate)
        {
            if (workerIndex is { } index)
            {
                SlotAt(index).HoldingReplies = false;
            }
            else
            {
                _holdingAllReplies = false;
                foreach (FaultSlot slot in _slots)
                {
                    slot.HoldingReplies = false;
                }
            }
        }

        FlushReplies();
    }

    /// <summary>Completes when at least <paramref name="count"/> job or cancel envelopes are held.</summary>
    /// <param name="count">How many.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when they are held.</returns>
    public Task WhenMessagesHeldAsync(int count, CancellationToken cancellationToken = default) => WhenHeldAsync(count, replies: false, cancellationToken);

    /// <summary>Completes when at least <paramref name="count"/> results or errors are held.</summary>
    /// <param name="count">How many.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when they are held.</returns>
    public Task WhenRepliesHeldAsync(int count, CancellationToken cancellationToken = default) => WhenHeldAsync(count, replies: true, cancellationToken);

    private void FlushMessages()
    {
        List<HeldMessage> deliver = [];
        lock (_gate)
        {
            _heldMessages.RemoveAll(held =>
            {
                FaultSlot slot = _slots[held.WorkerIndex];
                if (!slot.Alive || slot.Incarnation != held.Incarnation)
                {
                    return true;
                }

                bool stillHeld = slot.Paused || (held.Message.Kind == WorkerMessageKind.Job && (_holdingAllJobs || slot.HoldingJobs));
                if (stillHeld)
                {
                    return false;
                }

                deliver.Add(held);
                return true;
            });
        }

        foreach (HeldMessage held in deliver)
        {
            try
            {
                Inner.Send(held.WorkerIndex, held.Message);
            }
            catch (TransportException ex)
            {
                // The pool counts the job as sent: a job that cannot reach its worker must not wait forever, so the
                // worker is crashed and the crash fails its jobs.
                CrashCore(held.WorkerIndex, $"a held envelope could not be delivered: {ex.Message}", onlyIfAlive: true);
            }
        }
    }

    private void FlushReplies()
    {
        List<HeldReply> deliver = [];
        WorkerEventWriter? pool;
        lock (_gate)
        {
            pool = _pool;
            _heldReplies.RemoveAll(held =>
            {
                FaultSlot slot = _slots[held.Event.WorkerIndex];
                if (!slot.Alive || slot.Incarnation != held.Incarnation)
                {
                    return true;
                }

                if (_holdingAllReplies || slot.HoldingReplies)
                {
                    return false;
                }

                deliver.Add(held);
                return true;
            });
        }

        foreach (HeldReply held in deliver)
        {
            _ = pool?.TryWrite(held.Incarnation, held.Event);
        }
    }

    private Task WhenHeldAsync(int count, bool replies, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if ((replies ? _heldReplies.Count : _heldMessages.Count) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _heldWaiters.Add((count, replies, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void SignalHeldWaiters()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "Held traffic is counted under the lock.");
        if (_heldWaiters.Count == 0)
        {
            return;
        }

        _heldWaiters.RemoveAll(w =>
        {
            if ((w.Replies ? _heldReplies.Count : _heldMessages.Count) < w.Count)
            {
                return false;
            }

            // RunContinuationsAsynchronously: the waiter resumes elsewhere, never under this lock.
            w.Done.TrySetResult();
            return true;
        });
    }

    private void DropHeldOf(int workerIndex)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "Held traffic is changed under the lock.");
        _heldMessages.RemoveAll(m => m.WorkerIndex == workerIndex);
        _heldReplies.RemoveAll(r => r.Event.WorkerIndex == workerIndex);
    }

    /// <summary>A held job envelope must not share its bytes with the pool, which may let go of them once sent.</summary>
    private static WorkerMessage Detach(in WorkerMessage message) =>
        message.Kind == WorkerMessageKind.Job && message.Payload.IsEncoded
            ? WorkerMessage.Job(message.JobId, message.JobName!, JobPayload.FromBytes(message.Payload.Bytes.ToArray()), message.TraceParent, message.TraceState)
            : message;

    private readonly record struct HeldMessage(int WorkerIndex, int Incarnation, WorkerMessage Message);

    private readonly record struct HeldReply(int Incarnation, WorkerEvent Event);
}
