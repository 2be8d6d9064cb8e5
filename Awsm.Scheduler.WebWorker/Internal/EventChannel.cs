using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// The transport's event queue, with one reader (the pool's router). Unlike an unbounded <see cref="Channel{T}"/>, the
/// writer chooses per signal whether the waiting reader resumes inline or later: events that arrive from a worker come in
/// on a clean stack (a JS <c>message</c> event → <c>[JSExport]</c>), so the router can run right there instead of one
/// thread-pool hop later, which in single-threaded WebAssembly is a <c>setTimeout(0)</c> macrotask (tens of µs per event).
/// Events raised while the pool is calling into the transport (a failed start) resume the reader asynchronously, so the
/// pool is never re-entered.
/// </summary>
internal sealed class EventChannel : ChannelReader<WorkerEvent>, IValueTaskSource<bool>
{
    private readonly Lock _gate = new();
    private readonly Queue<WorkerEvent> _items = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private CancellationTokenRegistration _waiterCancellation;
    private bool _waiting;
    private bool _completed;

    /// <inheritdoc />
    public override Task Completion => _completion.Task;

    /// <inheritdoc />
    public override bool CanCount => true;

    /// <inheritdoc />
    public override bool CanPeek => true;

    /// <inheritdoc />
    public override int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Queues an event without waking the reader; call <see cref="Signal"/> after a batch.</summary>
    /// <returns>Whether it was queued (not after <see cref="Complete"/>).</returns>
    public bool Enqueue(in WorkerEvent e)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _items.Enqueue(e);
            return true;
        }
    }

    /// <summary>Queues an event and wakes the reader asynchronously (safe from any stack).</summary>
    public void Write(in WorkerEvent e)
    {
        if (Enqueue(e))
        {
            Signal(inline: false);
        }
    }

    /// <summary>Wakes a waiting reader if events are queued.</summary>
    /// <param name="inline">Resume it on this stack (only from a clean entry point such as a JS event).</param>
    public void Signal(bool inline)
    {
        lock (_gate)
        {
            if (!_waiting || _items.Count == 0)
            {
                return;
            }

            _waiting = false;
        }

        Wake(true, null, inline);
    }

    /// <summary>No more events: a waiting reader sees <see langword="false"/> once the queue is drained.</summary>
    public void Complete()
    {
        bool wake;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            wake = _waiting && _items.Count == 0;
            if (wake)
            {
                _waiting = false;
            }
        }

        if (wake)
        {
            Wake(false, null, inline: false);
        }

        _completion.TrySetResult();
    }

    /// <inheritdoc />
    public override bool TryRead([MaybeNullWhen(false)] out WorkerEvent item)
    {
        lock (_gate)
        {
            return _items.TryDequeue(out item);
        }
    }

    /// <inheritdoc />
    public override bool TryPeek([MaybeNullWhen(false)] out WorkerEvent item)
    {
        lock (_gate)
        {
            return _items.TryPeek(out item);
        }
    }

    /// <inheritdoc />
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        lock (_gate)
        {
            if (_items.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("The WebWorker transport's events have a single reader (the pool).");
            }

            _waiting = true;
            _waiter.Reset();
        }

        if (cancellationToken.CanBeCanceled)
        {
            _waiterCancellation = cancellationToken.UnsafeRegister(static (s, token) => ((EventChannel)s!).OnWaitCanceled(token), this);
        }

        return new ValueTask<bool>(this, _waiter.Version);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private void OnWaitCanceled(CancellationToken token)
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        Wake(false, new OperationCanceledException(token), inline: false);
    }

    private void Wake(bool result, Exception? error, bool inline)
    {
        CancellationTokenRegistration registration = _waiterCancellation;
        _waiterCancellation = default;
        registration.Dispose();
        _waiter.RunContinuationsAsynchronously = !inline;
        if (error is null)
        {
            _waiter.SetResult(result);
        }
        else
        {
            _waiter.SetException(error);
        }
    }
}
