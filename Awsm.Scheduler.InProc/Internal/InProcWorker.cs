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
    private readonly BlockingCollection<WorkerMessage> _inbox = new(new ConcurrentQueue<WorkerMessage>());
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _resumed = new(initialState: true);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerJobRuntime _runtime;
    private readonly Thread _thread;
    private volatile bool _dead;
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

        try
        {
            _inbox.Add(message);
        }
        catch (InvalidOperationException)
        {
            // The inbox closed between the check and the add: the worker died, and its crash was or will be reported.
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
        _inbox.CompleteAdding();
        _stop.Cancel();
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

    private void Run()
    {
        try
        {
            while (!_dead)
            {
                WorkerMessage message;
                try
                {
                    if (!_inbox.TryTake(out message, Timeout.Infinite, _stop.Token))
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
                    _runtime.Handle(_transport.ToWorkerSide(message));
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
