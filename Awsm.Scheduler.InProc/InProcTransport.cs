using Awsm.Scheduler.InProc.Internal;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.InProc;

/// <summary>
/// Runs workers in this process, each with its own inbox and its own <see cref="WorkerJobRuntime"/>, on the thread
/// pool or on dedicated threads (<see cref="InProcTransportOptions.Threading"/>). It is the embedded transport for server and console apps, and the fast, faithful
/// stand-in for every other transport in tests (wrap it in <c>Awsm.Scheduler.Testing</c>'s
/// <c>FaultInjectingTransport</c> to crash, pause, hold and release its workers on the test's command).
/// </summary>
public sealed class InProcTransport : IWorkerTransport
{
    private readonly InProcTransportOptions _options;
    private readonly Lock _gate = new();
    private readonly List<InProcWorker> _allIncarnations = [];
    private WorkerTransportContext? _context;
    private WorkerEventWriter? _writer;
    private InProcWorker?[] _workers = [];
    private volatile bool _disposed;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">Its settings; <see cref="InProcPayloadMode.Serialized"/> by default.</param>
    public InProcTransport(InProcTransportOptions? options = null)
    {
        _options = options ?? new InProcTransportOptions();
    }

    /// <summary>Gets how payloads travel.</summary>
    public InProcPayloadMode Mode => _options.Mode;

    /// <inheritdoc />
    public bool RequiresEncodedPayloads => _options.Mode == InProcPayloadMode.Serialized;

    /// <summary>
    /// Gets the number of workers (dedicated threads or thread-pool mailboxes) that have not yet left their loop, across
    /// incarnations: a crashed or terminated worker whose job still runs counts until the job returns. For leak checks,
    /// e.g. a conformance driver that declares <c>TransportCapabilities.CountsLiveWorkers</c> returns it from
    /// <c>CountLiveWorkers</c>; zero once the pool that owns this transport has stopped and its jobs have returned.
    /// </summary>
    public int LiveWorkerCount
    {
        get
        {
            lock (_gate)
            {
                return _allIncarnations.Count(w => !w.Exited.IsCompleted);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_context is not null)
            {
                throw new InvalidOperationException("The transport is already initialized; each pool needs its own transport.");
            }

            _context = context;
            _writer = context.Writer;
            int n = context.WorkerCount;
            Volatile.Write(ref _workers, new InProcWorker?[n]);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        InProcWorker worker;
        lock (_gate)
        {
            WorkerTransportContext context = _context ?? throw new InvalidOperationException("The transport is not initialized.");
            ObjectDisposedException.ThrowIf(_disposed, this);
            CheckIndex(workerIndex);
            _workers[workerIndex]?.Kill();
            worker = new InProcWorker(this, context, workerIndex, incarnation, _options.Threading);
            _workers[workerIndex] = worker;
            _allIncarnations.Add(worker);
            _allIncarnations.RemoveAll(w => w.Exited.IsCompleted);
        }

        worker.Start();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Send(int workerIndex, in WorkerMessage message)
    {
        // No lock on the hot path: the slot is read once (changes to it happen under _gate). An incarnation being
        // replaced may still be read here; it is then dead, or dies with the message in its inbox, and either way the
        // message is lost the way it would be had the lock been taken a moment earlier (the crash fails the job).
        if (_disposed)
        {
            throw new TransportException("The in-process transport is disposed.");
        }

        InProcWorker?[] workers = Volatile.Read(ref _workers);
        if ((uint)workerIndex >= (uint)workers.Length)
        {
            CheckIndex(workerIndex);
        }

        InProcWorker? worker = Volatile.Read(ref workers[workerIndex]);

        if (worker is null || worker.IsDead)
        {
            // Like postMessage to a dead Web Worker: the message is lost, and the crash (already reported) fails the job.
            return;
        }

        if (message.Kind == WorkerMessageKind.Cancel)
        {
            worker.Cancel(message.JobId);
        }
        else
        {
            worker.Post(ToWire(message));
        }
    }

    /// <inheritdoc />
    public ValueTask TerminateWorkerAsync(int workerIndex)
    {
        lock (_gate)
        {
            CheckIndex(workerIndex);
            _workers[workerIndex]?.Kill();
            _workers[workerIndex] = null;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        InProcWorker[] incarnations;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (InProcWorker? worker in _workers)
            {
                worker?.Kill();
            }

            incarnations = [.. _allIncarnations];
        }

        try
        {
            await Task.WhenAll(incarnations.Select(w => w.Exited)).WaitAsync(_options.ThreadExitTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A job ignores cancellation; its background thread exits when the job returns.
        }
    }

    /// <summary>Reports what an incarnation says to the pool's writer; a reply is handled on this thread.</summary>
    internal void Publish(int incarnation, in WorkerEvent e) => _writer!.TryWrite(incarnation, ToHostSide(e));

    internal bool CrashWorker(InProcWorker worker, string reason)
    {
        lock (_gate)
        {
            if (!worker.Kill())
            {
                return false;
            }

            if (_workers.Length > worker.Index && ReferenceEquals(_workers[worker.Index], worker))
            {
                _workers[worker.Index] = null;
            }

        }

        // Outside the lock: the pool's writer queues the crash behind the replies this incarnation already wrote.
        Publish(worker.Incarnation, WorkerEvent.Crashed(worker.Index, reason));
        return true;
    }

    /// <summary>
    /// In serialized mode, turns a host-side message into what the worker would parse off the wire. <see cref="ToWire"/>
    /// already gave the worker its own copy of the bytes, and the other fields are what the wire carries; formatting the
    /// id as its decimal wire text and parsing it back (a string per job) would add nothing but cost.
    /// </summary>
    internal static WorkerMessage ToWorkerSide(in WorkerMessage message) => message;

    private WorkerMessage ToWire(in WorkerMessage message)
    {
        if (!RequiresEncodedPayloads || message.Kind != WorkerMessageKind.Job || message.Payload.IsOwned)
        {
            // A buffer a codec wrote for this job alone (JSON) needs no copy: nobody else can change it.
            return message;
        }

        // Crossing the boundary copies the bytes: the caller may reuse its buffer, the worker owns its copy.
        return WorkerMessage.Job(message.JobId, message.JobName!, JobPayload.FromBytes(message.Payload.Bytes.ToArray()), message.TraceParent, message.TraceState);
    }

    private WorkerEvent ToHostSide(in WorkerEvent e)
    {
        if (!RequiresEncodedPayloads)
        {
            return e;
        }

        return e.Kind switch
        {
            // The host gets its own copy of the bytes; the id needs no decimal round trip (see ToWorkerSide).
            WorkerEventKind.Result when e.Payload.IsOwned => e,
            WorkerEventKind.Result => WorkerEvent.Result(e.WorkerIndex, e.JobId, JobPayload.FromBytes(e.Payload.Bytes.ToArray())),
            WorkerEventKind.Error => WireProtocol.ParseEvent(e.WorkerIndex, WireProtocol.ErrorKind, e.JobId.ToString(), default, WireProtocol.ToWire(e.ErrorKind), e.ErrorType, e.Message, e.RemoteStackTrace),
            _ => e,
        };
    }

    private void CheckIndex(int workerIndex)
    {
        if ((uint)workerIndex >= (uint)_workers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(workerIndex), workerIndex, $"The transport has {_workers.Length} worker slot(s).");
        }
    }
}
