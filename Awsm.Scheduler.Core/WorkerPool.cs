using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Internal.Pool;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awsm.Scheduler;

/// <summary>
/// A pool of workers over an <see cref="IWorkerTransport"/>: a bounded dispatch queue, a ledger per worker that holds its
/// jobs under 64-bit ids, a pluggable placement strategy, per-job timeouts and cancellation, and a supervisor that fails only a dead
/// worker's jobs and respawns it with backoff. The pool owns its transport and disposes it.
/// </summary>
/// <remarks>
/// <para>A pool starts when <see cref="StartAsync"/> is called or, at the latest, on its first dispatch: a dispatch
/// never waits on a pool that nobody starts, and if the start fails, the jobs accepted meanwhile fail with the start
/// error.</para>
/// <para>This class is the façade and the order of start and stop; the work is done by internal collaborators (job
/// intake, job ledger, dispatcher, worker supervisor and starter, cancellation watch, event router, telemetry), described with their lock
/// order in <c>Internal/Pool/README.md</c>. A job's end is claimed exactly once (<see cref="PendingJob.TryMarkDone"/>);
/// the claimant releases what the pool held for it and records its outcome before the caller resumes.</para>
/// </remarks>
public sealed class WorkerPool : IWorkerPool
{
    private readonly Lock _gate = new();
    private readonly PoolLifecycle _lifecycle = new();
    private readonly IWorkerTransport _transport;
    private readonly JobRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IServiceProvider? _services;
    private readonly TimeSpan _shutdownTimeout;
    private readonly bool _oneJobPerKey;
    private readonly WorkerSlot[] _slots;
    private readonly PoolTelemetry _telemetry;
    private readonly CancellationWatch _watch;
    private readonly JobLedger _ledger;
    private readonly Dispatcher _dispatcher;
    private readonly WorkerSupervisor _supervisor;
    private readonly EventRouter _router;
    private readonly JobIntake _intake;
    private Task _dispatcherLoop = Task.CompletedTask;
    private Task? _startTask;
    private Task? _stopTask;
    private Exception? _startFailure;
    private bool _transportInitialized;

    /// <summary>Creates a pool. It starts on <see cref="StartAsync"/> or on its first dispatch, whichever comes first.</summary>
    /// <param name="transport">Where the workers live. The pool owns it and disposes it.</param>
    /// <param name="registry">The jobs the pool can run.</param>
    /// <param name="options">The pool's settings; read once, here.</param>
    /// <param name="timeProvider">The clock for timeouts, backoff and latency; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where logs go; none by default.</param>
    /// <param name="meterFactory">Where the <c>Awsm.Scheduler</c> meter comes from; a standalone meter by default.</param>
    /// <param name="services">Services offered to jobs through <see cref="JobContext.Services"/>.</param>
    public WorkerPool(
        IWorkerTransport transport,
        JobRegistry registry,
        WorkerPoolOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(registry);
        options ??= new WorkerPoolOptions();

        _transport = transport;
        _registry = registry;
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Awsm.Scheduler.WorkerPool");
        _services = services;
        _shutdownTimeout = options.ShutdownTimeout;
        _oneJobPerKey = options.OneJobPerKey;
        Name = options.Name;

        _slots = new WorkerSlot[options.WorkerCount];
        var starts = new WorkerSlot.StartCounter();
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new WorkerSlot(i, options.MaxInFlightPerWorker, starts);
        }

        // Built bottom-up: each collaborator gets the ones below it, and delegates for the calls that go up.
        Dispatcher? dispatcher = null;
        WorkerSupervisor? supervisor = null;
        _telemetry = new PoolTelemetry(Name, _time, meterFactory, () => dispatcher!.QueueDepth, () => dispatcher!.InFlight, () => supervisor!.LiveCount, _slots.Length);
        _watch = new CancellationWatch(Name, _time, _logger, options.CancellationGracePeriod, _lifecycle, (worker, id) => dispatcher!.SendCancel(worker, id), (worker, reason) => supervisor!.TerminateAndReplace(worker, reason));
        PoisonJobTracker? poison = options.PoisonJobThreshold > 0 ? new PoisonJobTracker(options.PoisonJobThreshold) : null;
        _ledger = new JobLedger(Name, _time, _logger, options.JobTimeout, poison, _telemetry, _watch, _slots, worker => dispatcher!.Released(worker), constraints => dispatcher!.ReleaseConstraints(constraints));
        _dispatcher = dispatcher = new Dispatcher(Name, transport, _logger, _time, options, _slots, starts, _lifecycle, _ledger, _telemetry, StoppedError);
        _supervisor = supervisor = new WorkerSupervisor(Name, transport, _time, _logger, options, _lifecycle, _slots, _ledger, _watch, _telemetry, _dispatcher.Wake);
        _router = new EventRouter(Name, _logger, _slots, _ledger, _supervisor, _watch);
        _intake = new JobIntake(registry, transport.RequiresEncodedPayloads, _ledger);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the number of jobs accepted and not yet ended (queued or in flight). Zero after a stop.</summary>
    /// <summary>Gets the transport the pool was created with (for <c>GetWorkerTransport</c>).</summary>
    internal IWorkerTransport Transport => _transport;

    internal int PendingCount => _ledger.Count;

    /// <summary>Gets how many jobs wait for their key or their type's cap.</summary>
    internal int ParkedCount => _dispatcher.ParkedCount;

    /// <summary>Gets the poison-job tracker; <see langword="null"/> when detection is off.</summary>
    internal PoisonJobTracker? PoisonJobs => _ledger.Poison;

    /// <summary>Gets the number of canceled jobs whose worker is watched for the grace period.</summary>
    internal int CancelingCount => _watch.Count;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_lifecycle.IsStopping)
            {
                return Task.FromException(_startFailure is null
                    ? new SchedulerDisposedException($"Pool '{Name}' is stopped; create a new pool.")
                    : StoppedError());
            }

            if (_startTask is null)
            {
                _lifecycle.MoveTo(PoolPhase.Starting);
                _startTask = StartCoreAsync(cancellationToken);
            }

            return _startTask;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _transport.InitializeAsync(new WorkerTransportContext(Name, _slots.Length, _registry, _time, _loggerFactory, _services) { Writer = _router }, cancellationToken).ConfigureAwait(false);
            _transportInitialized = true;
            _router.Start();
            _dispatcherLoop = Task.Run(_dispatcher.RunAsync, CancellationToken.None);

            await _supervisor.StartAllAsync(cancellationToken).ConfigureAwait(false);

            lock (_gate)
            {
                if (_lifecycle.Phase == PoolPhase.Starting)
                {
                    _lifecycle.MoveTo(PoolPhase.Running);
                }
            }

            Log.PoolStarted(_logger, Name, _slots.Length);
        }
        catch (Exception ex)
        {
            // Jobs accepted while the pool was starting fail with this error, and so do later dispatches.
            Volatile.Write(ref _startFailure, ex);
            await StopAsync(PoolShutdownMode.Abort, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        Dispatch<TJob, TInput, TOutput>(input, null, default, cancellationToken);

    /// <inheritdoc />
    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, DispatchOptions options, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        Dispatch<TJob, TInput, TOutput>(input, null, options, cancellationToken);

    /// <inheritdoc />
    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput, TProgress>(TInput input, IProgress<TProgress>? progress, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        Dispatch<TJob, TInput, TOutput>(input, progress, default, cancellationToken);

    /// <inheritdoc />
    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput, TProgress>(TInput input, IProgress<TProgress>? progress, DispatchOptions options, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        Dispatch<TJob, TInput, TOutput>(input, progress, options, cancellationToken);

    private ValueTask<TOutput> Dispatch<TJob, TInput, TOutput>(TInput input, object? progress, in DispatchOptions options, CancellationToken cancellationToken)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        if (input is null)
        {
            ThrowInputNull();
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOutput>(cancellationToken);
        }

        PoolPhase phase = _lifecycle.Phase;
        if (phase >= PoolPhase.Stopping)
        {
            return ValueTask.FromException<TOutput>(StoppedError());
        }

        // Unregistered, unencodable, a progress sink of the wrong type, or quarantined: refused before anything is queued.
        if (_intake.Check<TJob, TInput, TOutput>(input, progress, out JobDescriptor<TInput, TOutput> descriptor, out JobPayload payload, out ProgressRoute? route) is { } refused)
        {
            return ValueTask.FromException<TOutput>(refused);
        }

        if (phase == PoolPhase.Created)
        {
            StartOnFirstDispatch();
        }

        var job = PendingJob<TOutput>.Rent(descriptor.Name, payload, _telemetry.AcceptedTimestamp(), descriptor, route);
        job.Key = options.Key;
        job.Priority = options.Priority;

        // A limit on the job's key or type: set before the job can end (its claim gives back what the ticket holds).
        JobConstraints.ConstraintTicket? constraints = null;
        string? exclusiveKey = _oneJobPerKey ? options.Key : null;
        if (descriptor.MaxConcurrency > 0 || exclusiveKey is not null)
        {
            job.Constraints = constraints = new JobConstraints.ConstraintTicket(new PendingRef(job, job.Generation), Dispatcher.LaneOf(options.Priority), descriptor.Name, exclusiveKey, descriptor.MaxConcurrency);
        }

        if (_ledger.Admit(job, cancellationToken, options.Timeout ?? descriptor.Timeout))
        {
            _dispatcher.Accept(job, new JobPlacement(descriptor.Name, options.Key, options.Priority), constraints);
        }

        return job.Task;
    }

    private void StartOnFirstDispatch()
    {
        Task start = StartAsync(CancellationToken.None);

        // Observed here: the failure reaches callers through their jobs (and through StartAsync, for whoever awaits it).
        start.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public Task StopAsync(PoolShutdownMode mode, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _stopTask ??= StopCoreAsync(mode, cancellationToken);
            return _stopTask;
        }
    }

    private async Task StopCoreAsync(PoolShutdownMode mode, CancellationToken cancellationToken)
    {
        PoolPhase previous;
        lock (_gate)
        {
            previous = _lifecycle.Phase;
            _lifecycle.MoveTo(PoolPhase.Stopping);
        }

        Log.PoolStopping(_logger, Name, mode, _ledger.Count);
        // New dispatches are refused from here on (the phase); the queue stays open while it drains, so that jobs
        // waiting for room or for their key or type limit still get their turn.
        _ledger.BeginDraining();

        if (mode == PoolShutdownMode.Drain && previous == PoolPhase.Running)
        {
            try
            {
                await _ledger.Drained.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Asked to hurry: abort what is left.
            }
        }

        _dispatcher.CompleteQueue();
        _dispatcher.StopSending();
        _ledger.AbortAll(StoppedError);
        lock (_gate)
        {
            _supervisor.Stop();
            _lifecycle.MoveTo(PoolPhase.Stopped);
        }

        _dispatcher.Wake();
        if (_transportInitialized)
        {
            await _supervisor.TerminateAllAsync().ConfigureAwait(false);
        }

        await _dispatcherLoop.ConfigureAwait(false);
        await _router.StopAsync().ConfigureAwait(false);
        _watch.Clear();
        await _transport.DisposeAsync().ConfigureAwait(false);
        _telemetry.Dispose();

        Debug.Assert(_ledger.IsEmpty, "A stopped pool holds no pending job.");
        Log.PoolStopped(_logger, Name);
    }

    /// <summary>Drains the pool (for at most <see cref="WorkerPoolOptions.ShutdownTimeout"/>, then aborts) and releases everything it holds.</summary>
    /// <returns>A task that completes when the pool is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        using var hurry = new CancellationTokenSource(_shutdownTimeout, _time);
        await StopAsync(PoolShutdownMode.Drain, hurry.Token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public int CancelPendingJobs() => _ledger.CancelAll();

    /// <inheritdoc />
    public WorkerPoolStats GetStats()
    {
        (TimeSpan p50, TimeSpan p99) = _telemetry.RoundTripPercentiles();
        return new WorkerPoolStats
        {
            PoolName = Name,
            WorkersAlive = _supervisor.LiveCount,
            Dispatched = _telemetry.Dispatched,
            Completed = _telemetry.Completed,
            Failed = _telemetry.Failed,
            Canceled = _telemetry.Canceled,
            TimedOut = _telemetry.TimedOut,
            QuarantinedInputs = _ledger.Poison?.QuarantinedCount ?? 0,
            Refused = _telemetry.Refused,
            QueueDepth = _dispatcher.QueueDepth,
            Pending = _ledger.Count,
            Workers = Array.ConvertAll(_slots, w => w.ToStats()),
            RoundTripP50 = p50,
            RoundTripP99 = p99,
        };
    }

    /// <summary>What a job of a stopping pool ends with: the start error if the pool could not start, else "stopped".</summary>
    private SchedulerException StoppedError() => Volatile.Read(ref _startFailure) switch
    {
        null => new SchedulerDisposedException($"Pool '{Name}' is stopping or stopped; it accepts no jobs and aborted the ones it held."),
        WorkerStartException start => new WorkerStartException(start.WorkerIndex, start.Reason, start),
        Exception other => new WorkerStartException(-1, $"pool '{Name}' could not start: {other.Message}", other),
    };

    [DoesNotReturn]
    private static void ThrowInputNull() => throw new ArgumentNullException("input", "A job's input cannot be null.");
}
