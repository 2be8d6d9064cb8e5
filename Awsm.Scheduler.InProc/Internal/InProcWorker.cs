using System.Collections.Concurrent;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.InProc.Internal;

/// <summary>
/// One incarnation of a worker: a dedicated background thread draining its own inbox and hosting a
/// <see cref="WorkerJobRuntime"/>. When it dies (crash or terminate) it stays dead: nothing it says afterwards is
/// delivered, and a respawn creates a new incarnation at the same index.
/// </summary>
internal sealed class InProcWorker : IThreadPoolWorkItem
{
    private readonly InProcTransport _transport;
    /// <summary>How many <see cref="SpinWait.SpinOnce(int)"/> rounds an idle worker spends (spinning, then yielding) before it parks.</summary>
    private const int IdleSpins = 24;

    private readonly ConcurrentQueue<WorkerMessage> _inbox = new();
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _resumed = new(initialState: true);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerJobRuntime _runtime;
    private readonly Thread? _thread;

    // Thread-pool mode: 1 while a drain of the inbox is queued or running (the mailbox is "scheduled").
    private int _scheduled;
    private volatile bool _paused;
    private volatile bool _dead;
    private int _parked;
    private volatile bool _crashOnNextJob;

    public InProcWorker(InProcTransport transport, WorkerTransportContext context, int index, InProcThreading threading)
    {
        _transport = transport;
        Index = index;
        _runtime = new WorkerJobRuntime(context.Registry, index, Reply, context.Services);
        _thread = threading == InProcThreading.DedicatedThreads
            ? new Thread(Run) { IsBackground = true, Name = $"awsm-{context.PoolName}-worker-{index}" }
            : null;
    }

    public int Index { get; }

    public bool IsDead => _dead;

    /// <summary>Gets a task that completes when the thread has left its loop.</summary>
    public Task Exited => _exited.Task;

    public void Start(bool reportReady)
    {
        _thread?.Start();
        if (reportReady)
        {
            ReportReady();
        }
    }

    public void ReportReady()
    {
        if (!_dead)
        {
            _transport.Publish(WorkerEvent.Ready(Index));
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
            Schedule();
            return;
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

    public void Pause()
    {
        _paused = true;
        _resumed.Reset();
    }

    public void Resume()
    {
        _paused = false;
        _resumed.Set();
        if (_thread is null && !_inbox.IsEmpty)
        {
            Schedule();
        }
    }

    public void CrashOnNextJob() => _crashOnNextJob = true;

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
        _resumed.Set();
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
            _transport.PublishReply(e);
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

                    _resumed.Wait(_stop.Token);
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
        while (true)
        {
            while (!_dead && !_paused && _inbox.TryDequeue(out WorkerMessage message))
            {
                if (!Process(message))
                {
                    break;
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
            if (_paused || _inbox.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private void Schedule()
    {
        if (!_paused && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Handles one message; returns <see langword="false"/> when the worker died doing it.</summary>
    private bool Process(in WorkerMessage message)
    {
        if (_crashOnNextJob && message.Kind == WorkerMessageKind.Job)
        {
            _transport.CrashWorker(this, $"injected crash on job {message.JobId}");
            return false;
        }

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
