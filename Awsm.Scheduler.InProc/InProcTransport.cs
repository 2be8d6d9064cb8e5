using System.Threading.Channels;
using Awsm.Scheduler.InProc.Internal;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.InProc;

/// <summary>
/// Runs workers on dedicated threads in this process, each with its own inbox and its own
/// <see cref="WorkerJobRuntime"/>. It is the embedded transport for server and console apps and the deterministic
/// test double for every other transport: its controls crash, pause, hold and release workers on the test's command,
/// so no test needs to sleep.
/// </summary>
public sealed class InProcTransport : IWorkerTransport
{
    private readonly Channel<WorkerEvent> _events = Channel.CreateUnbounded<WorkerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly InProcTransportOptions _options;
    private readonly Lock _gate = new();
    private readonly List<(int Worker, WorkerMessage Message)> _heldJobs = [];
    private readonly List<WorkerEvent> _heldReplies = [];
    private readonly List<InProcWorker> _allIncarnations = [];
    private WorkerTransportContext? _context;
    private Action<WorkerEvent>? _replySink;
    private InProcWorker?[] _workers = [];
    private int[] _failStarts = [];
    private string?[] _failStartReasons = [];
    private bool[] _holdReady = [];
    private int[] _starts = [];
    private bool _holdingJobs;
    private bool _holdingReplies;
    private bool _disposed;

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

    /// <inheritdoc />
    public ChannelReader<WorkerEvent> Events => _events.Reader;

    /// <summary>Gets the number of worker threads that have not yet left their loop (across incarnations).</summary>
    public int LiveThreads
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
            _replySink = context.ReplySink;
            int n = context.WorkerCount;
            _workers = new InProcWorker?[n];
            EnsureSized(n - 1);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StartWorkerAsync(int workerIndex, CancellationToken cancellationToken)
    {
        InProcWorker worker;
        bool reportReady;
        lock (_gate)
        {
            WorkerTransportContext context = _context ?? throw new InvalidOperationException("The transport is not initialized.");
            ObjectDisposedException.ThrowIf(_disposed, this);
            CheckIndex(workerIndex);
            _workers[workerIndex]?.Kill();
            _starts[workerIndex]++;
            if (_failStarts[workerIndex] > 0)
            {
                _failStarts[workerIndex]--;
                _workers[workerIndex] = null;
                Publish(WorkerEvent.InitError(workerIndex, _failStartReasons[workerIndex] ?? "injected start failure"));
                return ValueTask.CompletedTask;
            }

            worker = new InProcWorker(this, context, workerIndex, _options.Threading);
            _workers[workerIndex] = worker;
            _allIncarnations.Add(worker);
            _allIncarnations.RemoveAll(w => w.Exited.IsCompleted);
            reportReady = !_holdReady[workerIndex];
        }

        worker.Start(reportReady);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Send(int workerIndex, in WorkerMessage message)
    {
        InProcWorker? worker;
        lock (_gate)
        {
            if (_disposed)
            {
                throw new TransportException("The in-process transport is disposed.");
            }

            CheckIndex(workerIndex);
            worker = _workers[workerIndex];
            if (message.Kind == WorkerMessageKind.Job && _holdingJobs)
            {
                _heldJobs.Add((workerIndex, ToWire(message)));
                return;
            }
        }

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

    /// <summary>Crashes a worker now: its jobs fail with <see cref="WorkerCrashedException"/> and the pool respawns it. A job it is running is abandoned.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="reason">The crash reason the pool reports.</param>
    /// <returns><see langword="true"/> if a live worker was crashed.</returns>
    public bool Crash(int workerIndex, string reason = "injected crash")
    {
        InProcWorker? worker;
        lock (_gate)
        {
            CheckIndex(workerIndex);
            worker = _workers[workerIndex];
        }

        return worker is not null && CrashWorker(worker, reason);
    }

    /// <summary>Makes a worker crash when it takes its next job (the job is lost with the worker).</summary>
    /// <param name="workerIndex">The worker.</param>
    public void CrashOnNextJob(int workerIndex) => WorkerAt(workerIndex)?.CrashOnNextJob();

    /// <summary>Stops a worker from taking further messages until <see cref="Resume"/>; a job it is running goes on.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void Pause(int workerIndex) => WorkerAt(workerIndex)?.Pause();

    /// <summary>Lets a paused worker take messages again.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void Resume(int workerIndex) => WorkerAt(workerIndex)?.Resume();

    /// <summary>Holds every job envelope sent from now on, in order, until <see cref="ReleaseJobs"/>. Cancel envelopes still pass.</summary>
    public void HoldJobs()
    {
        lock (_gate)
        {
            _holdingJobs = true;
        }
    }

    /// <summary>Delivers the held job envelopes, in the order they were sent, and stops holding.</summary>
    public void ReleaseJobs()
    {
        (int Worker, WorkerMessage Message)[] held;
        lock (_gate)
        {
            _holdingJobs = false;
            held = [.. _heldJobs];
            _heldJobs.Clear();
        }

        foreach ((int worker, WorkerMessage message) in held)
        {
            WorkerAt(worker)?.Post(message);
        }
    }

    /// <summary>Holds every result and error from the workers until <see cref="ReleaseReplies"/>.</summary>
    public void HoldReplies()
    {
        lock (_gate)
        {
            _holdingReplies = true;
        }
    }

    /// <summary>Delivers the held results and errors, in order, and stops holding.</summary>
    public void ReleaseReplies()
    {
        lock (_gate)
        {
            _holdingReplies = false;
            foreach (WorkerEvent e in _heldReplies)
            {
                DeliverReply(e);
            }

            _heldReplies.Clear();
        }
    }

    /// <summary>Makes the next <paramref name="count"/> starts of a worker fail with an init error.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="count">How many starts fail.</param>
    /// <param name="reason">The init-error reason.</param>
    public void FailNextStarts(int workerIndex, int count = 1, string reason = "injected start failure")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            EnsureSized(workerIndex);
            _failStarts[workerIndex] = count;
            _failStartReasons[workerIndex] = reason;
        }
    }

    /// <summary>Makes a worker that starts from now on wait for <see cref="ReleaseReady"/> before it reports ready.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void HoldReady(int workerIndex)
    {
        lock (_gate)
        {
            EnsureSized(workerIndex);
            _holdReady[workerIndex] = true;
        }
    }

    /// <summary>Lets a held worker report ready, now and on later starts.</summary>
    /// <param name="workerIndex">The worker.</param>
    public void ReleaseReady(int workerIndex)
    {
        InProcWorker? worker;
        lock (_gate)
        {
            EnsureSized(workerIndex);
            _holdReady[workerIndex] = false;
            worker = _workers.Length > workerIndex ? _workers[workerIndex] : null;
        }

        worker?.ReportReady();
    }

    /// <summary>Gets how many times a worker was started (first start plus respawns, failed ones included).</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <returns>The count.</returns>
    public int StartCount(int workerIndex)
    {
        lock (_gate)
        {
            return workerIndex < _starts.Length ? _starts[workerIndex] : 0;
        }
    }

    /// <summary>
    /// Delivers an envelope to the pool as if a worker had sent these wire fields: the way to test malformed,
    /// duplicated and stale envelopes.
    /// </summary>
    /// <param name="workerIndex">The worker it claims to come from.</param>
    /// <param name="kind">The envelope kind.</param>
    /// <param name="id">The job id text.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="errorKind">The error kind's wire name.</param>
    /// <param name="errorType">The error type.</param>
    /// <param name="message">The message.</param>
    public void InjectEnvelope(int workerIndex, string? kind, string? id, ReadOnlyMemory<byte> payload = default, string? errorKind = null, string? errorType = null, string? message = null) =>
        Publish(WireProtocol.ParseEvent(workerIndex, kind, id, payload, errorKind, errorType, message));

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
            _heldJobs.Clear();
            _heldReplies.Clear();
        }

        _events.Writer.TryComplete();
        try
        {
            await Task.WhenAll(incarnations.Select(w => w.Exited)).WaitAsync(_options.ThreadExitTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A job ignores cancellation; its background thread exits when the job returns.
        }
    }

    internal void Publish(WorkerEvent e) => _events.Writer.TryWrite(e);

    internal void PublishReply(WorkerEvent e)
    {
        e = ToHostSide(e);
        if (Volatile.Read(ref _holdingReplies))
        {
            lock (_gate)
            {
                if (_holdingReplies)
                {
                    _heldReplies.Add(e);
                    return;
                }
            }
        }

        DeliverReply(e);
    }

    /// <summary>Hands a reply to the pool on this thread when it offers a shortcut (no hop through the router), else to <see cref="Events"/>.</summary>
    private void DeliverReply(in WorkerEvent e)
    {
        if (_replySink is { } sink)
        {
            sink(e);
        }
        else
        {
            Publish(e);
        }
    }

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

            // Replies the dead worker sent before dying but that are still held die with it, as they would in a browser.
            _heldReplies.RemoveAll(e => e.WorkerIndex == worker.Index);
            Publish(WorkerEvent.Crashed(worker.Index, reason));
        }

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
        if (!RequiresEncodedPayloads || message.Kind != WorkerMessageKind.Job)
        {
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
            WorkerEventKind.Result => WorkerEvent.Result(e.WorkerIndex, e.JobId, JobPayload.FromBytes(e.Payload.Bytes.ToArray())),
            WorkerEventKind.Error => WireProtocol.ParseEvent(e.WorkerIndex, WireProtocol.ErrorKind, e.JobId.ToString(), default, WireProtocol.ToWire(e.ErrorKind), e.ErrorType, e.Message, e.RemoteStackTrace),
            _ => e,
        };
    }

    private InProcWorker? WorkerAt(int workerIndex)
    {
        lock (_gate)
        {
            CheckIndex(workerIndex);
            return _workers[workerIndex];
        }
    }

    private void CheckIndex(int workerIndex)
    {
        if ((uint)workerIndex >= (uint)_workers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(workerIndex), workerIndex, $"The transport has {_workers.Length} worker slot(s).");
        }
    }

    private void EnsureSized(int workerIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workerIndex);
        if (workerIndex >= _failStarts.Length)
        {
            Array.Resize(ref _failStarts, workerIndex + 1);
            Array.Resize(ref _failStartReasons, workerIndex + 1);
            Array.Resize(ref _holdReady, workerIndex + 1);
            Array.Resize(ref _starts, workerIndex + 1);
        }
    }
}
