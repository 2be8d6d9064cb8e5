using System.Diagnostics;
using System.Threading.Channels;
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
/// Replies are intercepted on both paths a transport may use: the <see cref="IWorkerTransport.Events"/> channel (read by
/// the decorator and passed on in order, per worker) and <see cref="WorkerTransportContext.ReplySink"/> (the inner
/// transport gets a context whose sink goes through the decorator's filter, then on to the pool's sink).
/// </para>
/// <para>
/// Every worker index has an incarnation, counted by its starts. A crash injected here terminates the inner worker,
/// reports <see cref="WorkerEventKind.Crashed"/> once, and drops whatever that incarnation sends afterwards. Held
/// envelopes and events belong to the incarnation they were held for: releasing them after a crash or a restart drops
/// them (a message to a dead worker is lost, as it would be with a real one), and disposing releases nothing.
/// </para>
/// <para>
/// All members are thread-safe. The decorator never calls the inner transport or the pool while it holds its own lock.
/// </para>
/// </remarks>
public sealed class FaultInjectingTransport : IWorkerTransport
{
    private readonly IWorkerTransport _inner;
    private readonly Channel<WorkerEvent> _events = Channel.CreateUnbounded<WorkerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<HeldMessage> _heldMessages = [];
    private readonly List<HeldReply> _heldReplies = [];
    private readonly List<(int Count, bool Replies, TaskCompletionSource Done)> _heldWaiters = [];
    private FaultSlot[] _slots = [];
    private Action<WorkerEvent>? _poolSink;
    private Task _pump = Task.CompletedTask;
    private bool _initialized;
    private bool _holdingAllJobs;
    private bool _holdingAllReplies;
    private bool _disposed;

    /// <summary>Wraps a transport. The decorator owns it: disposing the decorator disposes it.</summary>
    /// <param name="inner">The transport under test.</param>
    public FaultInjectingTransport(IWorkerTransport inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Gets the wrapped transport.</summary>
    public IWorkerTransport Inner => _inner;

    /// <inheritdoc />
    public bool RequiresEncodedPayloads => _inner.RequiresEncodedPayloads;

    /// <inheritdoc />
    public ChannelReader<WorkerEvent> Events => _events.Reader;

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

    /// <inheritdoc />
    public async ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
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
            _poolSink = context.ReplySink;

            // Controls set before the pool started (a failing or held first start) keep their slot.
            FaultSlot[] slots = new FaultSlot[context.WorkerCount];
            for (int i = 0; i < slots.Length; i++)
            {
                slots[i] = i < _slots.Length ? _slots[i] : new FaultSlot();
            }

            _slots = slots;
        }

        // The inner transport gets a sink only if the pool offered one, so it chooses its reply path as it would alone.
        WorkerTransportContext innerContext = context with { ReplySink = context.ReplySink is null ? null : OnInnerReply };
        await _inner.InitializeAsync(innerContext, cancellationToken).ConfigureAwait(false);
        _pump = PumpAsync();
    }

    /// <inheritdoc />
    public async ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        Task? terminating;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FaultSlot slot = SlotAt(workerIndex);
            slot.Starts++;
            slot.Generation++;
            slot.HeldReadyGeneration = -1;
            DropHeldOf(workerIndex);
            if (slot.FailStarts > 0)
            {
                slot.FailStarts--;
                slot.Alive = false;
                _events.Writer.TryWrite(WorkerEvent.InitError(workerIndex, slot.FailStartReason));
                return;
            }

            // Alive before the inner start: a transport may report ready before StartWorkerAsync returns.
            slot.Alive = true;
            terminating = slot.Terminating;
            slot.Terminating = null;
        }

        if (terminating is not null)
        {
            // The previous incarnation, crashed here, must be gone before the inner transport reuses its index.
            await terminating.ConfigureAwait(false);
        }

        await _inner.StartWorkerAsync(workerIndex, incarnation, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Send(int workerIndex, in WorkerMessage message)
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
                _heldMessages.Add(new HeldMessage(workerIndex, slot.Generation, Detach(message)));
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

        _inner.Send(workerIndex, message);
    }

    /// <inheritdoc />
    public async ValueTask TerminateWorkerAsync(int workerIndex)
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

        await _inner.TerminateWorkerAsync(workerIndex).ConfigureAwait(false);
    }

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
    /// Stops holding replies (from all workers, or from one) and delivers the held ones, in order, by the path they came
    /// (the pool's reply sink or the event channel). Replies of an incarnation that has died meanwhile are dropped.
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
        bool ready;
        lock (_gate)
        {
            FaultSlot slot = SlotAt(workerIndex);
            slot.HoldingStarts = false;
            ready = slot.Alive && slot.HeldReadyGeneration == slot.Generation;
            slot.HeldReadyGeneration = -1;
            if (ready)
            {
                _events.Writer.TryWrite(WorkerEvent.Ready(workerIndex));
            }
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
            if (slot.HeldReadyGeneration == slot.Generation)
            {
                return Task.CompletedTask;
            }

            slot.ReadyHeld ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return slot.ReadyHeld.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Gets the id of the last job the pool sent to a worker (whether it was passed on, held or dropped): the id to
    /// forge or duplicate a reply for with <see cref="InjectEnvelope"/> or <see cref="InjectEvent"/>.
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    /// <returns>The id, or <see langword="null"/> if no job was sent to it yet.</returns>
    public JobId? LastJobSentTo(int workerIndex)
    {
        lock (_gate)
        {
            return SlotAt(workerIndex).LastJobSent;
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

    /// <summary>Delivers an event to the pool as if a worker had sent it, past every filter: forged, stale and duplicate replies, or anything else.</summary>
    /// <param name="workerEvent">The event.</param>
    public void InjectEvent(in WorkerEvent workerEvent)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _events.Writer.TryWrite(workerEvent);
        }
    }

    /// <summary>
    /// Delivers an envelope to the pool as if a worker had sent these wire fields, parsed as a transport would parse
    /// them (<see cref="WireProtocol.ParseEvent"/>): the way to test malformed, duplicate, stale and wrong-worker envelopes.
    /// </summary>
    /// <param name="workerIndex">The worker it claims to come from (need not exist).</param>
    /// <param name="kind">The envelope kind.</param>
    /// <param name="id">The job id text.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="errorKind">The error kind's wire name.</param>
    /// <param name="errorType">The error type.</param>
    /// <param name="message">The message.</param>
    public void InjectEnvelope(int workerIndex, string? kind, string? id, ReadOnlyMemory<byte> payload = default, string? errorKind = null, string? errorType = null, string? message = null) =>
        InjectEvent(WireProtocol.ParseEvent(workerIndex, kind, id, payload, errorKind, errorType, message));

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

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
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

        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
            await _pump.ConfigureAwait(false);
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    private bool CrashCore(int workerIndex, string reason, bool onlyIfAlive)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            FaultSlot slot = SlotAt(workerIndex);
            if (onlyIfAlive && !slot.Alive)
            {
                return false;
            }

            slot.Alive = false;
            DropHeldOf(workerIndex);
        }

        // From here the incarnation is deaf and mute to the pool; terminate it for real, then report the crash once.
        ValueTask termination;
        try
        {
            termination = _inner.TerminateWorkerAsync(workerIndex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            termination = ValueTask.FromException(ex);
        }

        if (termination.IsCompleted)
        {
            ObserveQuietly(termination);
            ReportCrash(workerIndex, reason);
            return true;
        }

        Task terminating = CompleteCrashAsync(termination, workerIndex, reason);
        lock (_gate)
        {
            _slots[workerIndex].Terminating = terminating;
        }

        return true;
    }

    private async Task CompleteCrashAsync(ValueTask termination, int workerIndex, string reason)
    {
        try
        {
            await termination.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The incarnation is dropped either way; the crash is what the pool must hear.
        }

        ReportCrash(workerIndex, reason);
    }

    private void ReportCrash(int workerIndex, string reason)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _events.Writer.TryWrite(WorkerEvent.Crashed(workerIndex, reason));
            }
        }
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

    /// <summary>Reads the inner transport's events and passes on what the filters let through, in order.</summary>
    private async Task PumpAsync()
    {
        ChannelReader<WorkerEvent> reader = _inner.Events;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out WorkerEvent e))
                {
                    OnInnerEvent(e);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The inner channel failed: nothing more will come from it. The pool hears it as the end of events.
        }
    }

    private void OnInnerEvent(in WorkerEvent e)
    {
        if (e.Kind is WorkerEventKind.Result or WorkerEventKind.Error)
        {
            if (FilterReply(e, viaSink: false))
            {
                _events.Writer.TryWrite(e);
            }

            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if ((uint)e.WorkerIndex >= (uint)_slots.Length || e.Kind == WorkerEventKind.Malformed)
            {
                // Not ours to judge: the pool logs and drops it.
                _events.Writer.TryWrite(e);
                return;
            }

            FaultSlot slot = _slots[e.WorkerIndex];
            if (!slot.Alive)
            {
                // An incarnation crashed or terminated here: what it says afterwards is never delivered.
                return;
            }

            switch (e.Kind)
            {
                case WorkerEventKind.Ready when slot.HoldingStarts:
                    slot.HeldReadyGeneration = slot.Generation;
                    slot.ReadyHeld?.TrySetResult();
                    slot.ReadyHeld = null;
                    return;
                case WorkerEventKind.InitError or WorkerEventKind.Crashed:
                    slot.Alive = false;
                    DropHeldOf(e.WorkerIndex);
                    break;
            }

            _events.Writer.TryWrite(e);
        }
    }

    private void OnInnerReply(WorkerEvent e)
    {
        if (FilterReply(e, viaSink: true))
        {
            Debug.Assert(_poolSink is not null, "The inner transport has a sink only when the pool offered one.");
            _poolSink(e);
        }
    }

    /// <summary>Decides a reply's fate: <see langword="true"/> to deliver it now; otherwise it was held or dropped.</summary>
    private bool FilterReply(in WorkerEvent e, bool viaSink)
    {
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
            if (!slot.Alive)
            {
                return false;
            }

            if (_holdingAllReplies || slot.HoldingReplies)
            {
                _heldReplies.Add(new HeldReply(slot.Generation, e, viaSink));
                SignalHeldWaiters();
                return false;
            }

            return true;
        }
    }

    private void FlushMessages()
    {
        List<HeldMessage> deliver = [];
        lock (_gate)
        {
            _heldMessages.RemoveAll(held =>
            {
                FaultSlot slot = _slots[held.WorkerIndex];
                if (!slot.Alive || slot.Generation != held.Generation)
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
                _inner.Send(held.WorkerIndex, held.Message);
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
        lock (_gate)
        {
            _heldReplies.RemoveAll(held =>
            {
                FaultSlot slot = _slots[held.Event.WorkerIndex];
                if (!slot.Alive || slot.Generation != held.Generation)
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
            if (held.ViaSink && _poolSink is { } sink)
            {
                sink(held.Event);
            }
            else
            {
                _events.Writer.TryWrite(held.Event);
            }
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

    /// <summary>A held job envelope must not share its bytes with the pool, which may let go of them once sent.</summary>
    private static WorkerMessage Detach(in WorkerMessage message) =>
        message.Kind == WorkerMessageKind.Job && message.Payload.IsEncoded
            ? WorkerMessage.Job(message.JobId, message.JobName!, JobPayload.FromBytes(message.Payload.Bytes.ToArray()), message.TraceParent, message.TraceState)
            : message;

    private readonly record struct HeldMessage(int WorkerIndex, long Generation, WorkerMessage Message);

    private readonly record struct HeldReply(long Generation, WorkerEvent Event, bool ViaSink);
}
