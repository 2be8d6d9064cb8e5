using System.Diagnostics;
using Awsm.Scheduler.Testing.Internal;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// Wraps any <see cref="IWorkerTransport"/> and injects faults on the test's command: crash a worker now or on its next
/// job, pause and resume one, hold and release jobs and replies, fail or hold the next starts, inject raw events. The
/// pool sees an ordinary transport; the inner transport sees an ordinary pool.
/// </summary>
/// <remarks>
/// <para>
/// It is a <see cref="DelegatingWorkerTransport"/>: the inner transport reports to a writer of the decorator's, which
/// holds or drops what the faults say and passes the rest on to the pool's writer with the incarnation it came with.
/// The pool's writer decides what an old or dead incarnation may still say; the decorator only remembers which incarnation
/// the pool started last at each index (its held traffic belongs to one) and whether a fault of its own ended it.
/// </para>
/// <para>
/// A crash injected here terminates the inner worker, then reports <see cref="WorkerEventKind.Crashed"/> once (so the pool's
/// respawn never reaches the inner transport before the terminate), and drops whatever that incarnation sends afterwards. Held envelopes and events belong to the incarnation they were held for: releasing them
/// after a crash or a restart drops them (a message to a dead worker is lost, as it would be with a real one), and disposing
/// releases nothing.
/// </para>
/// <para>
/// All members are thread-safe. The decorator never calls the inner transport or the pool while it holds its own lock.
/// The members are grouped by fault family: crashes, holds (pause, jobs, replies), starts, and injection.
/// </para>
/// </remarks>
public sealed partial class FaultInjectingTransport : DelegatingWorkerTransport
{
    private readonly Lock _gate = new();
    private FaultSlot[] _slots = [];
    private WorkerEventWriter? _pool;
    private bool _initialized;
    private bool _disposed;

    /// <summary>Wraps a transport. The decorator owns it: disposing the decorator disposes it.</summary>
    /// <param name="inner">The transport under test.</param>
    public FaultInjectingTransport(IWorkerTransport inner)
        : base(inner)
    {
    }

    /// <inheritdoc />
    public override ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_initialized)
            {
                throw new InvalidOperationException("The transport is already initialized; each pool needs its own transport.");
            }

            _initialized = true;

            // Controls set before the pool started (a failing or held first start) keep their slot.
            FaultSlot[] slots = new FaultSlot[context.WorkerCount];
            for (int i = 0; i < slots.Length; i++)
            {
                slots[i] = i < _slots.Length ? _slots[i] : new FaultSlot();
            }

            _slots = slots;
        }

        return base.InitializeAsync(context, cancellationToken);
    }

    /// <inheritdoc />
    public override async ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        Task? terminating;
        string? failure = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FaultSlot slot = SlotAt(workerIndex);
            slot.Starts++;
            slot.Incarnation = incarnation;
            slot.HeldReadyIncarnation = -1;
            DropHeldOf(workerIndex);
            if (slot.FailStarts > 0)
            {
                slot.FailStarts--;
                slot.Alive = false;
                failure = slot.FailStartReason;
            }
            else
            {
                // Alive before the inner start: a transport may report ready before StartWorkerAsync returns.
                slot.Alive = true;
            }

            terminating = slot.Terminating;
            slot.Terminating = null;
        }

        if (failure is not null)
        {
            // The inner transport is not asked; a crashed predecessor's termination stays for the next start to await.
            lock (_gate)
            {
                _slots[workerIndex].Terminating ??= terminating;
            }

            _ = Pool.TryWrite(incarnation, WorkerEvent.InitError(workerIndex, failure));
            return;
        }

        if (terminating is not null)
        {
            // The previous incarnation, crashed here, must be gone before the inner transport reuses its index.
            await terminating.ConfigureAwait(false);
        }

        await Inner.StartWorkerAsync(workerIndex, incarnation, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Send(int workerIndex, in WorkerMessage message)
    {
        bool crash = false;
        lock (_gate)
        {
            if (_disposed)
            {
                throw new TransportException("The fault-injecting transport is disposed.");
            }

            FaultSlot slot = SlotAt(workerIndex);
            if (message.Kind == WorkerMessageKind.Job)
            {
                slot.LastJobSent = message.JobId;
            }

            if (message.Kind == WorkerMessageKind.Job && slot.CrashOnNextJob && slot.Alive)
            {
                slot.CrashOnNextJob = false;
                crash = true;
            }
            else if (slot.Paused || (message.Kind == WorkerMessageKind.Job && (_holdingAllJobs || slot.HoldingJobs)))
            {
                _heldMessages.Add(new HeldMessage(workerIndex, slot.Incarnation, Detach(message)));
                SignalHeldWaiters();
                return;
            }
        }

        if (crash)
        {
            // The job is lost with its worker; the crash fails it.
            CrashCore(workerIndex, $"injected crash on job {message.JobId}", onlyIfAlive: false);
            return;
        }

        Inner.Send(workerIndex, message);
    }

    /// <inheritdoc />
    public override async ValueTask TerminateWorkerAsync(int workerIndex)
    {
        Task? terminating;
        lock (_gate)
        {
            FaultSlot slot = SlotAt(workerIndex);
            slot.Alive = false;
            DropHeldOf(workerIndex);
            terminating = slot.Terminating;
            slot.Terminating = null;
        }

        if (terminating is not null)
        {
            await terminating.ConfigureAwait(false);
        }

        await Inner.TerminateWorkerAsync(workerIndex).ConfigureAwait(false);
    }

    /// <summary>Gets the incarnation the pool started last at <paramref name="workerIndex"/> (0 before its first start).</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <returns>The incarnation number the pool passed to <see cref="StartWorkerAsync"/>.</returns>
    public int IncarnationOf(int workerIndex)
    {
        lock (_gate)
        {
            return SlotAt(workerIndex).Incarnation;
        }
    }

    /// <inheritdoc />
    protected override WorkerEventWriter WrapWriter(WorkerEventWriter writer)
    {
        _pool = writer;
        return new FaultWriter(this);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        (int, bool, TaskCompletionSource Done)[] waiters;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _heldMessages.Clear();
            _heldReplies.Clear();
            foreach (FaultSlot slot in _slots)
            {
                slot.Alive = false;
                if (slot.ReadyHeld is { } readyHeld)
                {
                    // Observed here: a waiter nobody awaits any more must not surface as an unobserved exception.
                    readyHeld.TrySetException(new ObjectDisposedException(nameof(FaultInjectingTransport)));
                    _ = readyHeld.Task.Exception;
                    slot.ReadyHeld = null;
                }
            }

            waiters = [.. _heldWaiters];
            _heldWaiters.Clear();
        }

        foreach ((_, _, TaskCompletionSource done) in waiters)
        {
            done.TrySetException(new ObjectDisposedException(nameof(FaultInjectingTransport)));
        }

        await Inner.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Gets the pool's writer (or the next decorator's); set when the pool initializes the transport.</summary>
    private WorkerEventWriter Pool => _pool ?? throw new InvalidOperationException("The transport is not initialized.");

    private FaultSlot SlotAt(int workerIndex)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "Slots are read and changed under the lock.");
        ArgumentOutOfRangeException.ThrowIfNegative(workerIndex);
        if (!_initialized && workerIndex >= _slots.Length)
        {
            // Before the pool initializes the transport its worker count is unknown: controls set now size the slots.
            int old = _slots.Length;
            Array.Resize(ref _slots, workerIndex + 1);
            for (int i = old; i < _slots.Length; i++)
            {
                _slots[i] = new FaultSlot();
            }
        }

        if ((uint)workerIndex >= (uint)_slots.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(workerIndex), workerIndex, $"The transport has {_slots.Length} worker slot(s).");
        }

        return _slots[workerIndex];
    }

    /// <summary>
    /// What the inner transport reports to: passes each event on to the pool's writer, unless a fault of the decorator
    /// ended that incarnation (dropped), or a hold keeps it (a reply, a ready).
    /// </summary>
    private sealed class FaultWriter(FaultInjectingTransport owner) : WorkerEventWriter
    {
        public override bool TryWrite(int incarnation, in WorkerEvent workerEvent) =>
            owner.Filter(incarnation, workerEvent) && owner.Pool.TryWrite(incarnation, workerEvent);
    }

    /// <summary>Decides an inner event's fate: <see langword="true"/> to pass it on now; otherwise it was held or dropped.</summary>
    private bool Filter(int incarnation, in WorkerEvent e)
    {
        if (e.Kind == WorkerEventKind.Malformed)
        {
            // Not ours to judge: the pool logs and drops it.
            return true;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if ((uint)e.WorkerIndex >= (uint)_slots.Length)
            {
                return true;
            }

            FaultSlot slot = _slots[e.WorkerIndex];
            bool current = incarnation == slot.Incarnation;
            if (current && !slot.Alive)
            {
                // An incarnation crashed or terminated here: what it says afterwards is never delivered.
                return false;
            }

            switch (e.Kind)
            {
                case WorkerEventKind.Result or WorkerEventKind.Error when _holdingAllReplies || slot.HoldingReplies:
                    _heldReplies.Add(new HeldReply(incarnation, e));
                    SignalHeldWaiters();
                    return false;
                case WorkerEventKind.Ready when current && slot.HoldingStarts:
                    slot.HeldReadyIncarnation = incarnation;
                    slot.ReadyHeld?.TrySetResult();
                    slot.ReadyHeld = null;
                    return false;
                case WorkerEventKind.InitError or WorkerEventKind.Crashed when current:
                    slot.Alive = false;
                    DropHeldOf(e.WorkerIndex);
                    return true;
                default:
                    return true;
            }
        }
    }
}
