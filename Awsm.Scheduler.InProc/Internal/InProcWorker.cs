using System.Collections.Concurrent;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.InProc.Internal;

/// <summary>
/// One incarnation of a worker: a dedicated background thread draining its own inbox and hosting a
/// <see cref="WorkerJobRuntime"/>. When it dies (crash or terminate) it stays dead: nothing it says afterwards is
/// delivered, and a respawn creates a new incarnation at the same index.
/// </summary>
internal sealed class InProcWorker
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
    private readonly Thread _thread;
    private volatile bool _dead;
    private int _parked;
    private volatile bool _crashOnNextJob;

    public InProcWorker(InProcTransport transport, WorkerTransportContext context, int index)
    {
        _transport = transport;
        Index = index;
        _runtime = new WorkerJobRuntime(context.Registry, index, Reply, context.Services);
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"awsm-{context.PoolName}-worker-{index}",
        };
    }

    public int Index { get; }

    public bool IsDead => _dead;

    /// <summary>Gets a task that completes when the thread has left its loop.</summary>
    public Task Exited => _exited.Task;

    public void Start(bool reportReady)
    {
        _thread.Start();
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

        // Enqueue is a full fence, so this read cannot move before it: either the worker sees the message before it
        // parks, or we see that it parked and wake it (the Dekker pattern; see TryTake).
        if (Volatile.Read(ref _parked) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>Fires a running job's token from the caller's thread: cancellation does not queue behind the job it cancels.</summary>
    public void Cancel(JobId id) => _runtime.Cancel(id);

    public void Pause() => _resumed.Reset();

    public void Resume() => _resumed.Set();

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

                if (_crashOnNextJob && message.Kind == WorkerMessageKind.Job)
                {
                    _transport.CrashWorker(this, $"injected crash on job {message.JobId}");
                    break;
                }

                try
                {
                    _runtime.Handle(InProcTransport.ToWorkerSide(message));
                }
                catch (Exception ex)
                {
                    // The runtime reports job failures itself; anything escaping it is a fault of the worker, which
                    // dies the way an uncaught error kills a Web Worker: its jobs fail and the pool replaces it.
                    _transport.CrashWorker(this, $"unhandled {ex.GetType().FullName} in the worker: {ex.Message}");
                    break;
                }
            }
        }
        finally
        {
            _exited.TrySetResult();
        }
    }
}
