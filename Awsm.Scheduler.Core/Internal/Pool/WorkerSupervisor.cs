using System.Diagnostics;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Worker lifecycles: starting, ready, lost, respawning with backoff, evicted. Every start (the first and each
/// respawn) has a timeout owned here, so no transport needs a start timer of its own. A lost worker fails exactly the
/// jobs it held.
/// </summary>
/// <remarks>
/// Slot states change under <see cref="_gate"/> only (readers outside it see a volatile field). The timing of starts
/// (the start timeout, the respawn backoff or eviction, the respawn's transport request) is the
/// <see cref="WorkerStarter"/>'s, called under this lock; its timers call back up through delegates.
/// </remarks>
internal sealed class WorkerSupervisor
{
    private readonly Lock _gate = new();
    private readonly string _poolName;
    private readonly IWorkerTransport _transport;
    private readonly ILogger _logger;
    private readonly PoolLifecycle _lifecycle;
    private readonly WorkerSlot[] _slots;
    private readonly StartBarrier _firstStart;
    private readonly JobLedger _ledger;
    private readonly CancellationWatch _watch;
    private readonly PoolTelemetry _telemetry;
    private readonly Action _wake;
    private readonly WorkerStarter _starter;

    // wake: Up to the dispatcher: a worker became ready, or a slot was evicted.
    public WorkerSupervisor(
        string poolName,
        IWorkerTransport transport,
        TimeProvider time,
        ILogger logger,
        WorkerPoolOptions options,
        PoolLifecycle lifecycle,
        WorkerSlot[] slots,
        JobLedger ledger,
        CancellationWatch watch,
        PoolTelemetry telemetry,
        Action wake)
    {
        _poolName = poolName;
        _transport = transport;
        _logger = logger;
        _lifecycle = lifecycle;
        _slots = slots;
        _ledger = ledger;
        _watch = watch;
        _telemetry = telemetry;
        _wake = wake;
        _starter = new WorkerStarter(
            poolName,
            transport,
            time,
            logger,
            options,
            _gate,
            timedOut: OnStartTimedOut,
            respawnDue: Respawn,
            startFailed: (worker, version, reason) => OnLost(worker, reason, duringInit: true, version));
        _firstStart = new StartBarrier(slots.Length);
    }

    public int LiveCount => _slots.Count(s => s.State == WorkerState.Ready);

    public bool AllEvicted => Array.TrueForAll(_slots, s => s.State == WorkerState.Evicted);

    /// <summary>Starts every worker and waits until all are ready; the first failure (or start timeout) fails it.</summary>
    public async Task StartAllAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            int incarnation;
            lock (_gate)
            {
                incarnation = BeginStart(_slots[i]);
            }

            Log.WorkerStarting(_logger, _poolName, i);

            // A transport that cannot even request the start fails StartAsync with its own exception.
            await _transport.StartWorkerAsync(i, incarnation, cancellationToken).ConfigureAwait(false);
        }

        await _firstStart.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The worker reported ready; with <paramref name="incarnation"/>, only if that start is still its current one.</summary>
    public void OnReady(int worker, int? incarnation)
    {
        WorkerSlot slot = _slots[worker];
        int crashes;
        lock (_gate)
        {
            if (slot.State != WorkerState.Starting || (incarnation is { } v && v != slot.StartVersion))
            {
                return;
            }

            slot.State = WorkerState.Ready;
            _starter.Disarm(slot);
            crashes = slot.Crashes;
        }

        Log.WorkerReady(_logger, _poolName, worker);
        if (crashes > 0)
        {
            Log.WorkerRespawned(_logger, _poolName, worker, crashes);
        }

        _firstStart.Ready(worker);
        _wake();
    }

    /// <summary>A job completed on the worker: its streak of consecutive failures is over.</summary>
    public void OnJobSucceeded(int worker)
    {
        // No lock: replies arrive on any thread, possibly while a transport holds the send lock.
        _slots[worker].ResetFailures();
    }

    /// <summary>The worker failed to start, crashed or was terminated: fail its jobs and plan its replacement.</summary>
    /// <param name="worker">The worker.</param>
    /// <param name="reason">Why, for the jobs' exceptions and the logs.</param>
    /// <param name="duringInit">Whether it was lost while starting (an init error, a failed or timed-out start).</param>
    /// <param name="startVersion">When set, act only if this start is still the worker's current one.</param>
    public void OnLost(int worker, string reason, bool duringInit, int? startVersion = null) =>
        Lose(worker, reason, duringInit, startVersion, respawn: true);

    /// <summary>Takes a lost worker out of rotation and fails its jobs; plans its respawn only if <paramref name="respawn"/>.</summary>
    /// <returns>Whether the worker was lost now and may be respawned (not already lost, not failing the first start).</returns>
    private bool Lose(int worker, string reason, bool duringInit, int? startVersion, bool respawn)
    {
        WorkerSlot slot = _slots[worker];
        bool failStart;
        lock (_gate)
        {
            if (slot.State is not (WorkerState.Starting or WorkerState.Ready) || (startVersion is { } v && v != slot.StartVersion))
            {
                return false;
            }

            failStart = _lifecycle.Phase == PoolPhase.Starting;
            _telemetry.WorkerFailed(worker);
            slot.Crashes++;
            slot.AddFailure();

            // Out of rotation before the sweep below, with a full fence between (Dekker with the sender, which
            // publishes its job in the worker's ledger, fences, then reads this state): a send that read the worker
            // as ready published its job before, and the sweep fails it; a later one sees the worker gone and fails
            // its job itself. Either way no job is left with a dead worker.
            slot.State = WorkerState.Respawning;
            Interlocked.MemoryBarrier();

            // Whatever this incarnation still says (a late ready, a reply) is not heard any more.
            slot.Silence();

            _starter.Disarm(slot);
        }

        if (duringInit)
        {
            Log.WorkerInitFailed(_logger, _poolName, worker, reason);
        }

        // While the pool starts, a loss fails the start, unless every worker had been ready before it: then the start
        // has passed (its caller may already be dispatching) and the worker must be respawned like any lost worker.
        // Deciding this in the barrier, not from the phase alone, is what keeps a lost worker from resting in
        // Respawning with no respawn planned.
        failStart = failStart && _firstStart.Failed(new WorkerStartException(worker, reason));
        if (!failStart && respawn)
        {
            // Scheduled before the jobs fail, so that a caller who observes the crash finds the respawn already planned.
            ScheduleRespawn(slot);
        }

        int lost = _ledger.FailJobsOf(worker, reason);
        _watch.ForgetWorker(worker);
        if (!duringInit)
        {
            Log.WorkerCrashed(_logger, _poolName, worker, lost, reason);
        }

        return !failStart;
    }

    /// <summary>Terminates a worker that will not stop on its own, then treats it as lost.</summary>
    public void TerminateAndReplace(int worker, string reason) => _ = TerminateAndReplaceAsync(worker, reason);

    /// <summary>Stops supervising: no timer stays armed, no respawn starts, start waiters give up.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            foreach (WorkerSlot slot in _slots)
            {
                _starter.CancelRespawn(slot);
                _starter.Disarm(slot);
                slot.State = WorkerState.Stopped;
            }
        }

        _starter.Stop();
        _firstStart.Abandon();
    }

    /// <summary>Terminates every worker (the pool stops).</summary>
    public async Task TerminateAllAsync()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            try
            {
                await _transport.TerminateWorkerAsync(i).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.LoopFailed(_logger, _poolName, ex);
            }
        }
    }

    /// <summary>Marks a slot starting, arms its start timeout, and makes the writer hear the new incarnation only. Called under <see cref="_gate"/>.</summary>
    /// <returns>The start's version: the incarnation number the transport is given.</returns>
    private int BeginStart(WorkerSlot slot)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "Slot states change under the supervisor's lock.");
        slot.State = WorkerState.Starting;
        int incarnation = _starter.Arm(slot);
        slot.Hear(incarnation);
        return incarnation;
    }

    private void OnStartTimedOut(int worker, int version)
    {
        WorkerSlot slot = _slots[worker];
        lock (_gate)
        {
            if (slot.State != WorkerState.Starting || slot.StartVersion != version)
            {
                return;
            }
        }

        double timeoutMs = _starter.StartTimeout.TotalMilliseconds;
        Log.WorkerStartTimedOut(_logger, _poolName, worker, timeoutMs);
        bool replace = Lose(worker, $"not ready within the start timeout of {timeoutMs:0} ms", duringInit: true, version, respawn: false);

        // The late incarnation must not report ready later (the transport drops what a terminated worker sends), and
        // its replacement starts only once it is gone.
        _ = TerminateThenRespawnAsync(worker, replace);
    }

    private void ScheduleRespawn(WorkerSlot slot)
    {
        TimeSpan delay;
        int failures;
        bool planned;
        lock (_gate)
        {
            if (_lifecycle.IsStopped || slot.State != WorkerState.Respawning)
            {
                return;
            }

            failures = slot.ConsecutiveFailures;
            planned = _starter.TryPlanRespawn(slot, failures, out delay);
            if (!planned)
            {
                slot.State = WorkerState.Evicted;
                _telemetry.WorkerEvicted(slot.Index);
                Log.WorkerEvicted(_logger, _poolName, slot.Index, failures, LiveCount, _slots.Length);
                if (AllEvicted)
                {
                    Log.PoolDegraded(_logger, _poolName);
                }
            }
        }

        if (!planned)
        {
            // Evicted: queued jobs may now have nowhere to go, and the dispatcher must fail them.
            _wake();
            return;
        }

        Log.WorkerRespawning(_logger, _poolName, slot.Index, delay.TotalMilliseconds, failures);
    }

    private void Respawn(int worker)
    {
        WorkerSlot slot = _slots[worker];
        int version;
        lock (_gate)
        {
            if (_lifecycle.IsStopped || slot.State != WorkerState.Respawning)
            {
                return;
            }

            _starter.CancelRespawn(slot);
            version = BeginStart(slot);
        }

        Log.WorkerStarting(_logger, _poolName, worker);
        _starter.RequestRespawn(worker, version);
    }

    private Task TerminateAndReplaceAsync(int worker, string reason)
    {
        // Out of rotation first, its jobs failed at once: a job sent while the terminate is under way (a round trip, for a
        // network transport) would go to a dying worker. The replacement starts once the terminate is done.
        bool replace = Lose(worker, $"terminated: {reason}", duringInit: false, startVersion: null, respawn: false);
        return TerminateThenRespawnAsync(worker, replace);
    }

    private async Task TerminateThenRespawnAsync(int worker, bool respawn)
    {
        await TerminateQuietlyAsync(worker).ConfigureAwait(false);
        if (respawn)
        {
            ScheduleRespawn(_slots[worker]);
        }
    }

    private async Task TerminateQuietlyAsync(int worker)
    {
        try
        {
            await _transport.TerminateWorkerAsync(worker).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _poolName, ex);
        }
    }
}
