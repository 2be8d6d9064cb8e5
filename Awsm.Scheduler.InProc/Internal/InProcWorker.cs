using System.Collections.Concurrent;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.InProc.Internal;

/// <summary>
/// One incarnation of a worker: its own inbox, drained one message at a time by a dedicated background thread or on the
/// thread pool, hosting a <see cref="WorkerJobRuntime"/>. When it dies (crash or terminate) it stays dead: nothing it
/// says afterwards is delivered, and a respawn creates a new incarnation at the same index.
/// </summary>
/// <remarks>
/// <see cref="InProcThreading.Adaptive"/>: the inbox starts on the thread pool; the first message whose handling holds
/// the thread for <see cref="LongJobThreshold"/> or more moves the worker, for the rest of this incarnation, to a
/// dedicated thread. The move happens between two messages (the drain that handled the long one hands the inbox over
/// and never releases the mailbox), so messages are still handled one at a time and in order.
/// </remarks>
internal sealed class InProcWorker : IThreadPoolWorkItem
{
    private readonly InProcTransport _transport;
    /// <summary>How many <see cref="SpinWait.SpinOnce(int)"/> rounds an idle worker spends (spinning, then yielding) before it parks.</summary>
    private const int IdleSpins = 24;

    /// <summary>How long a message may hold a thread-pool thread before an adaptive worker moves to a thread of its own.</summary>
    internal static readonly TimeSpan LongJobThreshold = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<WorkerMessage> _inbox = new();
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerJobRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly bool _adaptive;
    private readonly string _threadName;
    private volatile Thread? _thread;

    // Thread-pool mode: 1 while a drain of the inbox is queued or running (the mailbox is "scheduled").
    private int _scheduled;
    private volatile bool _dead;
    private int _parked;

    public InProcWorker(InProcTransport transport, WorkerTransportContext context, int index, int incarnation, InProcThreading threading)
    {
        _transport = transport;
        Index = index;
        Incarnation = incarnation;
        _runtime = new WorkerJobRuntime(context.Registry, index, Reply, context.Services);
        _time = context.TimeProvider;
        _adaptive = threading == InProcThreading.Adaptive;
        _threadName = $"awsm-{context.PoolName}-worker-{index}";
        _thread = threading == InProcThreading.DedicatedThreads ? NewThread() : null;
    }

    public int Index { get; }

    /// <summary>Gets the pool's number for this incarnation: everything it says is written with it.</summary>
    public int Incarnation { get; }

    public bool IsDead => _dead;

    /// <summary>Gets whether the inbox is drained by a dedicated thread (from the start, or since an adaptive move).</summary>
    public bool HasOwnThread => _thread is not null;

    /// <summary>Gets a task that completes when the thread has left its loop.</summary>
    public Task Exited => _exited.Task;

    public void Start()
    {
        _thread?.Start();
        if (!_dead)
        {
            _transport.Publish(Incarnation, WorkerEvent.Ready(Index));
        }
    }

    public void Post(in WorkerMessage message)
    {
        if (_dead)
        {
            return;
        }

        // A message posted after the worker died stays in the dead inbox, unread: the crash (already or soon
        // reported) fails its job.
        _inbox.Enqueue(message);
        if (_thread is null)
        {
            // After an adaptive move the mailbox stays scheduled for good, so this does nothing; the thread that took
            // over may be parked, which the check below covers.
            Schedule();
        }

        // Enqueue is a full fence, so this read cannot move before it: either the worker sees the message before it
        // parks, or we see that it parked and wake it (the Dekker pattern; see TryTake).
        if (Volatile.Read(ref _parked) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>Fires a running job's token from the caller's thread: cancellation does not queue behind the job it cancels.</summary>
    public void Cancel(JobId id) => _runtime.Cancel(id);

    /// <summary>Kills this incarnation. Returns <see langword="false"/> if it was already dead.</summary>
    public bool Kill()
    {
        if (_dead)
        {
            return false;
        }

        _dead = true;
        _runtime.CancelAll();
        _stop.Cancel();
        _wake.Set();
        if (_thread is null && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            // No drain is queued or running, and none will be: the mailbox is closed for good.
            _exited.TrySetResult();
        }

        return true;
    }

    private void Reply(WorkerEvent e)
    {
        if (!_dead)
        {
            _transport.Publish(Incarnation, e);
        }
    }

    /// <summary>
    /// Takes the next message: at once if there is one; otherwise spins and yields for a few microseconds (a reply
    /// usually brings the next job within that time, and a parked thread costs a futex wake-up of 5-20 µs), then parks
    /// until <see cref="Post"/> or <see cref="Kill"/> wakes it. Returns <see langword="false"/> when the worker died.
    /// </summary>
    private bool TryTake(out WorkerMessage message)
    {
        while (!_dead)
        {
            if (_inbox.TryDequeue(out message))
            {
                return true;
            }

            var spinner = default(SpinWait);
            while (spinner.Count < IdleSpins && _inbox.IsEmpty && !_dead)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            if (!_inbox.IsEmpty)
            {
                continue;
            }

            _wake.Reset();
            Interlocked.Exchange(ref _parked, 1);
            if (_inbox.IsEmpty && !_dead)
            {
                _wake.Wait(_stop.Token);
            }

            Interlocked.Exchange(ref _parked, 0);
        }

        message = default;
        return false;
    }

    private void Run()
    {
        try
        {
            while (!_dead)
            {
                WorkerMessage message;
                try
                {
                    if (!TryTake(out message))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (_dead)
                {
                    break;
                }

                if (!Process(message))
                {
                    break;
                }
            }
        }
        finally
        {
            _exited.TrySetResult();
        }
    }

    /// <summary>Thread-pool mode: drains the inbox one message at a time, then releases the mailbox.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        // One clock read per message: messages run back to back, so the end of one is the start of the next.
        long mark = _adaptive ? _time.GetTimestamp() : 0;
        while (true)
        {
            while (!_dead && _inbox.TryDequeue(out WorkerMessage message))
            {
                if (!Process(message))
                {
                    break;
                }

                if (!_adaptive)
                {
                    continue;
                }

                long now = _time.GetTimestamp();
                TimeSpan held = _time.GetElapsedTime(mark, now);
                mark = now;
                if (held >= LongJobThreshold)
                {
                    // Long jobs get a thread of their own from now on. The mailbox is never released: Schedule does
                    // nothing any more, and the thread drains what is queued and what comes (or exits if the worker died).
                    Thread thread = NewThread();
                    _thread = thread;
                    thread.Start();
                    return;
                }
            }

            Interlocked.Exchange(ref _scheduled, 0);
            if (_dead)
            {
                _exited.TrySetResult();
                return;
            }

            // A message posted after the last TryDequeue but before the release found the mailbox scheduled and
            // did not schedule it: look again, and keep draining if we win the mailbox back.
            if (_inbox.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private Thread NewThread() => new(Run) { IsBackground = true, Name = _threadName };

    private void Schedule()
    {
        // Test first: while a drain runs (the usual case under load) the flag is 1, and reading it keeps the line
        // shared instead of pulling it over for a compare-exchange bound to fail.
        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Handles one message; returns <see langword="false"/> when the worker died doing it.</summary>
    private bool Process(in WorkerMessage message)
    {
        try
        {
            _runtime.Handle(InProcTransport.ToWorkerSide(message));
            return true;
        }
        catch (Exception ex)
        {
            // The runtime reports job failures itself; anything escaping it is a fault of the worker, which
            // dies the way an uncaught error kills a Web Worker: its jobs fail and the pool replaces it.
            _transport.CrashWorker(this, $"unhandled {ex.GetType().FullName} in the worker: {ex.Message}");
            return false;
        }
    }
}
