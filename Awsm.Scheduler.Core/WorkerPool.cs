using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awsm.Scheduler;

/// <summary>
/// A pool of workers over an <see cref="IWorkerTransport"/>: a bounded dispatch queue, a pending map keyed by 64-bit
/// job ids, a pluggable placement strategy, per-job timeouts and cancellation, and a supervisor that fails only a dead
/// worker's jobs and respawns it with backoff. The pool owns its transport and disposes it.
/// </summary>
/// <remarks>
/// Three loops cooperate: callers write accepted jobs into the queue; the dispatcher reads the queue and sends each job
/// to a worker the strategy picks; the router reads the transport's events and completes jobs. A job's completion is
/// claimed exactly once (see <see cref="PendingJob.TryMarkDone"/>), and the claimant cleans up the pending map, the
/// worker's in-flight count, the timer and the cancellation registration <em>before</em> the caller resumes.
/// </remarks>
public sealed class WorkerPool : IWorkerPool
{
    private const int Created = 0;
    private const int Starting = 1;
    private const int Running = 2;
    private const int Stopping = 3;
    private const int Stopped = 4;

    private readonly IWorkerTransport _transport;
    private readonly JobRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IServiceProvider? _services;
    private readonly IWorkerSelectionStrategy _strategy;
    private readonly SchedulerMetrics _metrics;
    private readonly LatencyRecorder _latency = new();
    private readonly bool _encodePayloads;

    private readonly int _queueCapacity;
    private readonly QueueFullMode _queueFullMode;
    private readonly int _maxInFlightPerWorker;
    private readonly TimeSpan? _jobTimeout;
    private readonly TimeSpan _startTimeout;
    private readonly TimeSpan _shutdownTimeout;
    private readonly TimeSpan _respawnInitialDelay;
    private readonly TimeSpan _respawnMaxDelay;
    private readonly int _maxRespawnAttempts;
    private readonly TimeSpan? _cancellationGracePeriod;
    private readonly PoisonJobTracker? _poison;

    private readonly ConcurrentDictionary<long, PendingJob> _pending = new();
    private readonly ConcurrentDictionary<long, CancelledJob> _cancelling = new();
    private readonly Channel<PendingJob> _queue;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly WorkerSlot[] _workers;
    private readonly WorkerLoad[] _candidates;
    private readonly TaskCompletionSource[] _startWaiters;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();

    // Serializes worker selection and send between the dispatcher loop and callers sending directly (TrySendNow): the
    // strategy and the candidate buffer are single-threaded, and a worker's in-flight limit is checked and taken at once.
    private readonly Lock _sendGate = new();

    private long _lastJobId;
    private int _lifecycle;
    private long _dispatched;
    private long _completed;
    private long _failed;
    private long _canceled;
    private long _timedOut;
    private long _refused;
    private Task _dispatcherLoop = Task.CompletedTask;
    private Task _routerLoop = Task.CompletedTask;
    private Task? _startTask;
    private Task? _stopTask;
    private bool _transportInitialized;

    /// <summary>Creates a pool. Call <see cref="StartAsync"/> to start its workers.</summary>
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
        _strategy = options.Strategy ?? WorkerSelectionStrategies.RoundRobin();
        _encodePayloads = transport.RequiresEncodedPayloads;

        Name = options.Name;
        _queueCapacity = options.QueueCapacity;
        _queueFullMode = options.QueueFullMode;
        _maxInFlightPerWorker = options.MaxInFlightPerWorker;
        _jobTimeout = options.JobTimeout;
        _startTimeout = options.StartTimeout;
        _shutdownTimeout = options.ShutdownTimeout;
        _respawnInitialDelay = options.RespawnInitialDelay;
        _respawnMaxDelay = options.RespawnMaxDelay;
        _maxRespawnAttempts = options.MaxRespawnAttempts;
        _cancellationGracePeriod = options.CancellationGracePeriod;
        _poison = options.PoisonJobThreshold > 0 ? new PoisonJobTracker(options.PoisonJobThreshold) : null;

        _queue = Channel.CreateBounded<PendingJob>(new BoundedChannelOptions(_queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _workers = new WorkerSlot[options.WorkerCount];
        _startWaiters = new TaskCompletionSource[options.WorkerCount];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new WorkerSlot(i);
            _startWaiters[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _candidates = new WorkerLoad[_workers.Length];
        _metrics = new SchedulerMetrics(Name, meterFactory, () => _queue.Reader.Count, () => _workers.Sum(w => w.InFlight), CountLiveWorkers, _workers.Length);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the number of jobs accepted and not yet ended (queued or in flight). Zero after a stop.</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>Gets the poison-job tracker; <see langword="null"/> when detection is off.</summary>
    internal PoisonJobTracker? PoisonJobs => _poison;

    /// <summary>Gets the number of cancelled jobs whose worker is watched for the grace period.</summary>
    internal int CancellingCount => _cancelling.Count;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_lifecycle >= Stopping)
            {
                return Task.FromException(new SchedulerDisposedException($"Pool '{Name}' is stopped; create a new pool."));
            }

            if (_startTask is null)
            {
                _lifecycle = Starting;
                _startTask = StartCoreAsync(cancellationToken);
            }

            return _startTask;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _transport.InitializeAsync(new WorkerTransportContext(Name, _workers.Length, _registry, _time, _loggerFactory, _services) { ReplySink = DeliverReply }, cancellationToken).ConfigureAwait(false);
            _transportInitialized = true;
            _routerLoop = Task.Run(RouteEventsAsync, CancellationToken.None);
            _dispatcherLoop = Task.Run(DispatchQueuedJobsAsync, CancellationToken.None);

            for (int i = 0; i < _workers.Length; i++)
            {
                lock (_gate)
                {
                    _workers[i].State = WorkerState.Starting;
                }

                Log.WorkerStarting(_logger, Name, i);
                await _transport.StartWorkerAsync(i, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await Task.WhenAll(_startWaiters.Select(w => w.Task)).WaitAsync(_startTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                int late = Array.FindIndex(_startWaiters, w => !w.Task.IsCompletedSuccessfully);
                throw new WorkerStartException(late, $"not ready within the start timeout of {_startTimeout.TotalMilliseconds:0} ms");
            }
            catch (WorkerStartException)
            {
                // Report the first worker that failed, whichever finished first.
                throw _startWaiters.Select(w => w.Task.Exception?.InnerException).OfType<WorkerStartException>().First();
            }

            lock (_gate)
            {
                if (_lifecycle == Starting)
                {
                    _lifecycle = Running;
                }
            }

            Log.PoolStarted(_logger, Name, _workers.Length);
        }
        catch
        {
            await StopAsync(ShutdownMode.Abort, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
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

        if (Volatile.Read(ref _lifecycle) >= Stopping)
        {
            return ValueTask.FromException<TOutput>(Disposed());
        }

        JobDescriptor<TInput, TOutput> descriptor;
        JobPayload payload;
        try
        {
            descriptor = _registry.Get<TJob, TInput, TOutput>();
            payload = descriptor.EncodeInput(input, _encodePayloads);
        }
        catch (SchedulerException ex)
        {
            return ValueTask.FromException<TOutput>(ex);
        }

        if (_poison is { Count: > 0 } && IsQuarantined(descriptor.Name, payload) is { } quarantined)
        {
            return ValueTask.FromException<TOutput>(quarantined);
        }

        var job = new PendingJob<TOutput>(new JobId(Interlocked.Increment(ref _lastJobId)), descriptor.Name, payload, _time.GetTimestamp(), descriptor);
        Accept(job, cancellationToken);
        return job.Task;
    }

    private void Accept(PendingJob job, CancellationToken cancellationToken)
    {
        StartDispatchActivity(job);
        _pending[job.Id.Value] = job;
        Interlocked.Increment(ref _dispatched);
        _metrics.Dispatched(job.JobName);

        if (cancellationToken.CanBeCanceled)
        {
            job.CallerToken = cancellationToken;
            job.CancellationRegistration = cancellationToken.UnsafeRegister(static (state, token) => ((WorkerPool)((object[])state!)[0]).OnCallerCanceled((PendingJob)((object[])state)[1], token), new object[] { this, job });
        }

        if (job.IsDone)
        {
            // The token fired during registration: the job already ended and must not start a timer or take a slot.
            return;
        }

        if (_jobTimeout is { } timeout)
        {
            job.TimeoutTimer = _time.CreateTimer(static state => ((WorkerPool)((object[])state!)[0]).OnTimeout((PendingJob)((object[])state)[1]), new object[] { this, job }, timeout, Timeout.InfiniteTimeSpan);
        }

        if (TrySendNow(job) || _queue.Writer.TryWrite(job))
        {
            return;
        }

        if (Volatile.Read(ref _lifecycle) >= Stopping)
        {
            Fail(job, Disposed());
        }
        else if (_queueFullMode == QueueFullMode.Reject)
        {
            Log.QueueFull(_logger, Name, job.JobName, _queueCapacity);
            Fail(job, new QueueFullException(job.JobName, _queueCapacity));
        }
        else
        {
            _ = EnqueueWhenRoomAsync(job);
        }
    }

    /// <summary>
    /// Sends the job from the caller's thread when nothing waits in the queue and a worker has room: the hop through the
    /// queue and the dispatcher loop (a thread wake-up, often on the other core) is skipped on the common path. Jobs
    /// that find the queue non-empty go behind it, so a waiting job is never overtaken by a later one.
    /// </summary>
    private bool TrySendNow(PendingJob job)
    {
        // Stopping: the job goes to the queue path, which fails it; the stop fails what the map holds, and this job
        // was in the map before the read below, so a stop that began after it still finds it.
        if (Volatile.Read(ref _lifecycle) >= Stopping)
        {
            return false;
        }

        lock (_sendGate)
        {
            if (_queue.Reader.Count != 0)
            {
                return false;
            }

            int worker = SelectWorker();
            if (worker < 0)
            {
                return false;
            }

            Send(job, worker);
            return true;
        }
    }

    private async Task EnqueueWhenRoomAsync(PendingJob job)
    {
        try
        {
            // The caller's token is already wired to the job; a cancelled job is skipped by the dispatcher, so the
            // write only needs to stop waiting when the job ended for any reason.
            await _queue.Writer.WriteAsync(job, job.CallerToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The registration on the caller's token completes the job.
        }
        catch (ChannelClosedException)
        {
            Fail(job, Disposed());
        }
    }

    private void StartDispatchActivity(PendingJob job)
    {
        Activity? caller = Activity.Current;
        Activity? activity = SchedulerTelemetry.ActivitySource.StartActivity("awsm.dispatch", ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag(SchedulerTelemetry.PoolTag, Name);
            activity.SetTag(SchedulerTelemetry.JobTag, job.JobName);
            activity.SetTag("awsm.job.id", job.Id.ToString());
            job.Activity = activity;

            // The span belongs to the job, not to the caller's flow: restore the caller's current activity.
            Activity.Current = caller;
        }

        Activity? context = activity ?? caller;
        if (context is not null && context.IdFormat == ActivityIdFormat.W3C)
        {
            job.TraceParent = context.Id;
            job.TraceState = context.TraceStateString;
        }
    }

    private async Task DispatchQueuedJobsAsync()
    {
        ChannelReader<PendingJob> reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // Peek, and take the job out only when a worker can have it: the queue then holds exactly the jobs
                // that wait, so its capacity is the backpressure bound the caller configured.
                while (reader.TryPeek(out PendingJob? job))
                {
                    if (job.IsDone)
                    {
                        reader.TryRead(out _);
                        continue;
                    }

                    // An input quarantined while it waited is not sent to kill another worker.
                    if (_poison is { Count: > 0 } && IsQuarantined(job.JobName, job.Payload) is { } quarantined)
                    {
                        reader.TryRead(out _);
                        Fail(job, quarantined);
                        continue;
                    }

                    int worker;
                    lock (_sendGate)
                    {
                        worker = SelectWorker();
                        if (worker >= 0)
                        {
                            reader.TryRead(out _);
                            Send(job, worker);
                        }
                    }

                    if (worker >= 0)
                    {
                        continue;
                    }

                    if (AllWorkersEvicted())
                    {
                        reader.TryRead(out _);
                        Fail(job, new NoLiveWorkersException($"Pool '{Name}' has no worker left that can run jobs: every worker was evicted after repeated failures."));
                        continue;
                    }

                    if (Volatile.Read(ref _lifecycle) == Stopped)
                    {
                        reader.TryRead(out _);
                        Fail(job, Disposed());
                        continue;
                    }

                    // No worker has room: wait until a job completes, a worker becomes ready, or the pool stops.
                    await _wake.Reader.ReadAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, Name, ex);
            throw;
        }
    }

    private int SelectWorker()
    {
        int count = 0;
        foreach (WorkerSlot slot in _workers)
        {
            if (slot.State == WorkerState.Ready && slot.InFlight < _maxInFlightPerWorker)
            {
                _candidates[count++] = new WorkerLoad(slot.Index, slot.InFlight);
            }
        }

        if (count == 0)
        {
            return -1;
        }

        int choice = _strategy.Select(_candidates.AsSpan(0, count));
        if ((uint)choice >= (uint)count)
        {
            throw new InvalidOperationException($"Strategy '{_strategy.GetType().FullName}' chose position {choice} among {count} candidates.");
        }

        return _candidates[choice].WorkerIndex;
    }

    private void Send(PendingJob job, int worker)
    {
        WorkerSlot slot = _workers[worker];
        slot.AddInFlight();
        long now = _time.GetTimestamp();
        if (!job.TryMarkSent(worker, now))
        {
            // Ended (cancelled, timed out, aborted) after the dispatcher picked it up: nothing to send.
            slot.RemoveInFlight();
            Wake();
            return;
        }

        _metrics.QueueWait(job.JobName, _time.GetElapsedTime(job.AcceptedTimestamp, now));
        try
        {
            _transport.Send(worker, WorkerMessage.Job(job.Id, job.JobName, job.Payload, job.TraceParent, job.TraceState));
            if (_poison is null)
            {
                // With poison detection on, the input stays until the job ends: a crash keys its strike by the input.
                job.ReleasePayload();
            }
        }
        catch (Exception ex)
        {
            Fail(job, ex as SchedulerException ?? new TransportException($"Could not send job '{job.JobName}' to worker {worker}: {ex.Message}", ex));
        }
    }

    private async Task RouteEventsAsync()
    {
        ChannelReader<WorkerEvent> events = _transport.Events;
        try
        {
            while (await events.WaitToReadAsync(_shutdown.Token).ConfigureAwait(false))
            {
                while (events.TryRead(out WorkerEvent e))
                {
                    Route(e);
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, Name, ex);
            throw;
        }
    }

    /// <summary>
    /// The transport's shortcut for replies (<see cref="WorkerTransportContext.ReplySink"/>): completes the job on the
    /// delivering thread instead of going through the events channel and the router loop. The caller still resumes
    /// asynchronously, never on the worker's thread.
    /// </summary>
    private void DeliverReply(WorkerEvent e)
    {
        try
        {
            Route(e);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, Name, ex);
        }
    }

    private void Route(in WorkerEvent e)
    {
        if ((uint)e.WorkerIndex >= (uint)_workers.Length)
        {
            Log.MalformedEnvelope(_logger, Name, e.WorkerIndex, $"{e.Kind} event for a worker index outside [0, {_workers.Length})");
            return;
        }

        switch (e.Kind)
        {
            case WorkerEventKind.Result:
            case WorkerEventKind.Error:
                OnJobReply(e);
                break;
            case WorkerEventKind.Ready:
                OnReady(e.WorkerIndex);
                break;
            case WorkerEventKind.InitError:
                OnWorkerLost(e.WorkerIndex, e.Message ?? "init error", duringInit: true);
                break;
            case WorkerEventKind.Crashed:
                OnWorkerLost(e.WorkerIndex, e.Message ?? "crashed", duringInit: false);
                break;
            default:
                Log.MalformedEnvelope(_logger, Name, e.WorkerIndex, e.Message ?? $"event of kind {e.Kind}");
                break;
        }
    }

    private void OnJobReply(in WorkerEvent e)
    {
        long id = e.JobId.Value;
        if (!_pending.TryGetValue(id, out PendingJob? job) || !job.IsSent)
        {
            if (_cancelling.TryRemove(id, out CancelledJob cancelled))
            {
                cancelled.GraceTimer?.Dispose();
            }

            Log.StaleEnvelope(_logger, Name, e.WorkerIndex, e.Kind.ToString(), id);
            return;
        }

        if (job.WorkerIndex != e.WorkerIndex)
        {
            Log.EnvelopeFromWrongWorker(_logger, Name, e.Kind.ToString(), id, e.WorkerIndex, job.WorkerIndex);
            return;
        }

        WorkerSlot slot = _workers[e.WorkerIndex];
        slot.AddCompleted();
        _poison?.RecordReply(job.JobName, job.Payload);
        if (e.Kind == WorkerEventKind.Result)
        {
            // Replies arrive from several threads at once: take the lock only when there is a streak to reset.
            if (slot.ConsecutiveFailures != 0)
            {
                lock (_gate)
                {
                    slot.ConsecutiveFailures = 0;
                }
            }

            Succeed(job, e.Payload);
            return;
        }

        SchedulerException error = e.ErrorKind switch
        {
            JobErrorKind.UnknownJob => new UnknownJobException(job.JobName, $"worker {e.WorkerIndex} has no such job in its registry; register it on the worker side too."),
            JobErrorKind.InputSerialization => new JobSerializationException(job.JobName, e.ErrorType ?? "unknown", SerializationDirection.Input, e.Message ?? string.Empty),
            JobErrorKind.OutputSerialization => new JobSerializationException(job.JobName, e.ErrorType ?? "unknown", SerializationDirection.Output, e.Message ?? string.Empty),
            _ => new JobFailedException(job.JobName, e.WorkerIndex, e.ErrorType ?? "unknown", e.Message ?? string.Empty, e.RemoteStackTrace),
        };
        if (error is JobFailedException)
        {
            Log.JobFailed(_logger, Name, job.JobName, id, e.WorkerIndex, e.ErrorType ?? "unknown", e.Message ?? string.Empty);
        }

        Fail(job, error);
    }

    private void OnReady(int worker)
    {
        WorkerSlot slot = _workers[worker];
        int crashes;
        lock (_gate)
        {
            if (slot.State != WorkerState.Starting)
            {
                return;
            }

            slot.State = WorkerState.Ready;
            crashes = slot.Crashes;
        }

        Log.WorkerReady(_logger, Name, worker);
        if (crashes > 0)
        {
            Log.WorkerRespawned(_logger, Name, worker, crashes);
        }

        _startWaiters[worker].TrySetResult();
        Wake();
    }

    private void OnWorkerLost(int worker, string reason, bool duringInit)
    {
        WorkerSlot slot = _workers[worker];
        bool failStart;
        lock (_gate)
        {
            if (slot.State is not (WorkerState.Starting or WorkerState.Ready))
            {
                return;
            }

            failStart = Volatile.Read(ref _lifecycle) == Starting;
            _metrics.WorkerFailed(worker);
            slot.Crashes++;
            slot.ConsecutiveFailures++;
            slot.State = WorkerState.Respawning;
        }

        if (duringInit)
        {
            Log.WorkerInitFailed(_logger, Name, worker, reason);
        }

        if (failStart)
        {
            _startWaiters[worker].TrySetException(new WorkerStartException(worker, reason));
        }
        else
        {
            // Scheduled before the jobs fail, so that a caller who observes the crash finds the respawn already planned.
            ScheduleRespawn(slot);
        }

        int lost = FailJobsOf(worker, reason);
        if (!duringInit)
        {
            Log.WorkerCrashed(_logger, Name, worker, lost, reason);
        }
    }

    private int FailJobsOf(int worker, string reason)
    {
        int count = 0;
        foreach (KeyValuePair<long, PendingJob> entry in _pending)
        {
            PendingJob job = entry.Value;
            if (job.IsSent && job.WorkerIndex == worker && Complete(job, Outcome.Failed, out _))
            {
                // The strike is recorded before the caller resumes: a caller who saw the crash and dispatches the
                // same input again finds it counted (and quarantined, at the threshold).
                RecordCrash(job);
                job.SetException(new WorkerCrashedException(worker, reason));
                count++;
            }
        }

        foreach (KeyValuePair<long, CancelledJob> entry in _cancelling)
        {
            if (entry.Value.WorkerIndex == worker && _cancelling.TryRemove(entry.Key, out CancelledJob cancelled))
            {
                cancelled.GraceTimer?.Dispose();
            }
        }

        return count;
    }

    private void ScheduleRespawn(WorkerSlot slot)
    {
        TimeSpan delay;
        lock (_gate)
        {
            if (Volatile.Read(ref _lifecycle) == Stopped || slot.State != WorkerState.Respawning)
            {
                return;
            }

            if (slot.ConsecutiveFailures > _maxRespawnAttempts)
            {
                slot.State = WorkerState.Evicted;
                _metrics.WorkerEvicted(slot.Index);
                Log.WorkerEvicted(_logger, Name, slot.Index, slot.ConsecutiveFailures, CountLiveWorkers(), _workers.Length);
                if (AllWorkersEvicted())
                {
                    Log.PoolDegraded(_logger, Name);
                }

                Wake();
                return;
            }

            double factor = Math.Pow(2, slot.ConsecutiveFailures - 1);
            delay = TimeSpan.FromTicks((long)Math.Min(_respawnInitialDelay.Ticks * factor, _respawnMaxDelay.Ticks));
            slot.RespawnTimer?.Dispose();
            slot.RespawnTimer = _time.CreateTimer(static state => ((WorkerPool)((object[])state!)[0]).Respawn((WorkerSlot)((object[])state)[1]), new object[] { this, slot }, delay, Timeout.InfiniteTimeSpan);
        }

        Log.WorkerRespawning(_logger, Name, slot.Index, delay.TotalMilliseconds, slot.ConsecutiveFailures);
    }

    private void Respawn(WorkerSlot slot)
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _lifecycle) == Stopped || slot.State != WorkerState.Respawning)
            {
                return;
            }

            slot.RespawnTimer?.Dispose();
            slot.RespawnTimer = null;
            slot.State = WorkerState.Starting;
        }

        Log.WorkerStarting(_logger, Name, slot.Index);
        _ = RespawnAsync(slot);
    }

    private async Task RespawnAsync(WorkerSlot slot)
    {
        try
        {
            await _transport.StartWorkerAsync(slot.Index, _shutdown.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_shutdown.IsCancellationRequested)
        {
            OnWorkerLost(slot.Index, $"the transport could not start it: {ex.Message}", duringInit: true);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void OnCallerCanceled(PendingJob job, CancellationToken token)
    {
        if (Complete(job, Outcome.Canceled, out bool wasSent))
        {
            Log.JobCanceled(_logger, Name, job.JobName, job.Id.Value);
            NotifyCancel(job, wasSent);
            job.SetCanceled(token);
        }
    }

    private void OnTimeout(PendingJob job)
    {
        if (Complete(job, Outcome.TimedOut, out bool wasSent))
        {
            TimeSpan timeout = _jobTimeout.GetValueOrDefault();
            Log.JobTimedOut(_logger, Name, job.JobName, job.Id.Value, timeout.TotalMilliseconds);
            NotifyCancel(job, wasSent);
            job.SetException(new JobTimeoutException(job.JobName, timeout));
        }
    }

    private void Succeed(PendingJob job, JobPayload output)
    {
        if (!Complete(job, Outcome.Completed, out _))
        {
            return;
        }

        try
        {
            job.SetResult(output);
        }
        catch (SchedulerException ex)
        {
            // The output could not be decoded: count it as a failure rather than a completion.
            Interlocked.Decrement(ref _completed);
            Interlocked.Increment(ref _failed);
            job.SetException(ex);
        }
    }

    /// <summary>Ends a job with an exception. Returns <see langword="false"/> if it had already ended.</summary>
    /// <param name="job">The job.</param>
    /// <param name="error">What the caller sees.</param>
    /// <param name="notifyWorker">Whether a worker may still be running the job and must be told to cancel it (the failure
    /// started on the host side, like an abort); <see langword="false"/> when the worker replied or died.</param>
    private bool Fail(PendingJob job, Exception error, bool notifyWorker = false)
    {
        if (!Complete(job, Outcome.Failed, out bool wasSent))
        {
            return false;
        }

        if (notifyWorker)
        {
            NotifyCancel(job, wasSent);
        }

        job.SetException(error);
        return true;
    }

    /// <summary>
    /// Claims the job's completion and cleans up everything the pool holds for it. Exactly one caller per job gets
    /// <see langword="true"/>; it must then complete the caller's task.
    /// </summary>
    private bool Complete(PendingJob job, Outcome outcome, out bool wasSent)
    {
        if (!job.TryMarkDone(out wasSent))
        {
            return false;
        }

        _pending.TryRemove(job.Id.Value, out _);
        job.CancellationRegistration.Unregister();
        job.TimeoutTimer?.Dispose();
        long now = _time.GetTimestamp();
        if (wasSent)
        {
            _workers[job.WorkerIndex].RemoveInFlight();
            TimeSpan roundTrip = _time.GetElapsedTime(job.SentTimestamp, now);
            _latency.Record(roundTrip);
            _metrics.RoundTrip(job.JobName, roundTrip);
        }

        // A worker has room again, or a job at the head of the queue ended and can be dropped.
        Wake();

        switch (outcome)
        {
            case Outcome.Completed:
                Interlocked.Increment(ref _completed);
                _metrics.Completed(job.JobName);
                break;
            case Outcome.Canceled:
                Interlocked.Increment(ref _canceled);
                _metrics.Canceled(job.JobName);
                break;
            case Outcome.TimedOut:
                Interlocked.Increment(ref _timedOut);
                _metrics.TimedOut(job.JobName);
                break;
            default:
                Interlocked.Increment(ref _failed);
                _metrics.Failed(job.JobName);
                break;
        }

        if (job.Activity is { } activity)
        {
            activity.SetTag("awsm.job.outcome", outcome.ToString());
            if (outcome != Outcome.Completed)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.ToString());
            }

            activity.Stop();
        }

        // Lifecycle first: ConcurrentDictionary.IsEmpty takes every bucket lock when the map is empty, which is the
        // common case with one job in flight.
        if (Volatile.Read(ref _lifecycle) >= Stopping && _pending.IsEmpty)
        {
            _drained.TrySetResult();
        }

        return true;
    }

    /// <summary>Tells the worker holding a job that ended on the host side to stop it, and watches the grace period.</summary>
    private void NotifyCancel(PendingJob job, bool wasSent)
    {
        if (!wasSent)
        {
            return;
        }

        int worker = job.WorkerIndex;
        try
        {
            _transport.Send(worker, WorkerMessage.Cancel(job.Id));
        }
        catch (Exception)
        {
            // The worker is gone or going; its crash is handled when the transport reports it.
            return;
        }

        if (_cancellationGracePeriod is { } grace && Volatile.Read(ref _lifecycle) < Stopping)
        {
            var cancelled = new CancelledJob(worker, null);
            if (_cancelling.TryAdd(job.Id.Value, cancelled))
            {
                ITimer timer = _time.CreateTimer(static state => ((WorkerPool)((object[])state!)[0]).OnGraceExpired((JobId)((object[])state)[1]), new object[] { this, job.Id }, grace, Timeout.InfiniteTimeSpan);
                if (!_cancelling.TryUpdate(job.Id.Value, cancelled with { GraceTimer = timer }, cancelled))
                {
                    timer.Dispose();
                }
            }
        }
    }

    private void OnGraceExpired(JobId id)
    {
        if (!_cancelling.TryRemove(id.Value, out CancelledJob cancelled))
        {
            return;
        }

        cancelled.GraceTimer?.Dispose();
        Log.WorkerIgnoredCancellation(_logger, Name, cancelled.WorkerIndex, id.Value, _cancellationGracePeriod.GetValueOrDefault().TotalMilliseconds);
        _ = TerminateAndReplaceAsync(cancelled.WorkerIndex, $"it kept running cancelled job {id} past the grace period of {_cancellationGracePeriod.GetValueOrDefault().TotalMilliseconds:0} ms");
    }

    private async Task TerminateAndReplaceAsync(int worker, string reason)
    {
        try
        {
            await _transport.TerminateWorkerAsync(worker).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, Name, ex);
        }

        OnWorkerLost(worker, $"terminated: {reason}", duringInit: false);
    }

    /// <inheritdoc />
    public Task StopAsync(ShutdownMode mode, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _stopTask ??= StopCoreAsync(mode, cancellationToken);
            return _stopTask;
        }
    }

    private async Task StopCoreAsync(ShutdownMode mode, CancellationToken cancellationToken)
    {
        int previous;
        lock (_gate)
        {
            previous = _lifecycle;
            _lifecycle = Stopping;
        }

        Log.PoolStopping(_logger, Name, mode, _pending.Count);
        _queue.Writer.TryComplete();

        if (mode == ShutdownMode.Drain && previous == Running && !_pending.IsEmpty)
        {
            try
            {
                await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Asked to hurry: abort what is left.
            }
        }

        foreach (KeyValuePair<long, PendingJob> entry in _pending)
        {
            Fail(entry.Value, Disposed(), notifyWorker: true);
        }

        lock (_gate)
        {
            foreach (WorkerSlot slot in _workers)
            {
                slot.RespawnTimer?.Dispose();
                slot.RespawnTimer = null;
                slot.State = WorkerState.Stopped;
            }

            _lifecycle = Stopped;
        }

        Wake();
        if (_transportInitialized)
        {
            for (int i = 0; i < _workers.Length; i++)
            {
                try
                {
                    await _transport.TerminateWorkerAsync(i).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.LoopFailed(_logger, Name, ex);
                }
            }
        }

        await _dispatcherLoop.ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await _routerLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (KeyValuePair<long, CancelledJob> entry in _cancelling)
        {
            entry.Value.GraceTimer?.Dispose();
        }

        _cancelling.Clear();
        await _transport.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
        _shutdown.Dispose();
        foreach (TaskCompletionSource waiter in _startWaiters)
        {
            waiter.TrySetException(new WorkerStartException(Array.IndexOf(_startWaiters, waiter), "the pool was stopped before the worker was ready"));
            _ = waiter.Task.Exception;
        }

        Debug.Assert(_pending.IsEmpty, "A stopped pool holds no pending job.");
        Log.PoolStopped(_logger, Name);
    }

    /// <summary>Drains the pool (for at most <see cref="WorkerPoolOptions.ShutdownTimeout"/>, then aborts) and releases everything it holds.</summary>
    /// <returns>A task that completes when the pool is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        using var hurry = new CancellationTokenSource(_shutdownTimeout, _time);
        await StopAsync(ShutdownMode.Drain, hurry.Token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public WorkerPoolStats GetStats()
    {
        TimeSpan[] percentiles = _latency.Percentiles(50, 99);
        return new WorkerPoolStats
        {
            PoolName = Name,
            WorkersAlive = CountLiveWorkers(),
            Dispatched = Interlocked.Read(ref _dispatched),
            Completed = Interlocked.Read(ref _completed),
            Failed = Interlocked.Read(ref _failed),
            Canceled = Interlocked.Read(ref _canceled),
            TimedOut = Interlocked.Read(ref _timedOut),
            QuarantinedInputs = _poison?.QuarantinedCount ?? 0,
            Refused = Interlocked.Read(ref _refused),
            QueueDepth = _queue.Reader.Count,
            Pending = _pending.Count,
            Workers = Array.ConvertAll(_workers, w => w.ToStats()),
            RoundTripP50 = percentiles[0],
            RoundTripP99 = percentiles[1],
        };
    }

    /// <summary>Returns the exception that refuses an input, or <see langword="null"/> when it is not quarantined.</summary>
    private JobQuarantinedException? IsQuarantined(string jobName, in JobPayload payload)
    {
        if (!_poison!.IsQuarantined(jobName, payload, out int crashes))
        {
            return null;
        }

        Interlocked.Increment(ref _refused);
        _metrics.Refused(jobName);
        Log.QuarantinedJobRefused(_logger, Name, jobName);
        return new JobQuarantinedException(jobName, crashes);
    }

    private void RecordCrash(PendingJob job)
    {
        if (_poison is not null && _poison.RecordCrash(job.JobName, job.Payload, out int strikes))
        {
            _metrics.Quarantined(job.JobName);
            Log.JobQuarantined(_logger, Name, job.JobName, strikes);
        }
    }

    private int CountLiveWorkers() => _workers.Count(w => w.State == WorkerState.Ready);

    private bool AllWorkersEvicted() => Array.TrueForAll(_workers, w => w.State == WorkerState.Evicted);

    private void Wake() => _wake.Writer.TryWrite(true);

    private SchedulerDisposedException Disposed() => new($"Pool '{Name}' is stopping or stopped; it accepts no jobs and aborted the ones it held.");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowInputNull() => throw new ArgumentNullException("input", "A job's input cannot be null.");

    private enum Outcome
    {
        Completed,
        Failed,
        Canceled,
        TimedOut,
    }

    /// <summary>A job that ended on the host side while its worker may still be running it.</summary>
    private readonly record struct CancelledJob(int WorkerIndex, ITimer? GraceTimer);
}
