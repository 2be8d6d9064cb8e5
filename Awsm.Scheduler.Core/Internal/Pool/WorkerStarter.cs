using System.Diagnostics;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The start attempts of workers, below <see cref="WorkerSupervisor"/>: the timeout armed on every start (the first and
/// each respawn), the respawn policy (a backoff that doubles with each consecutive failure up to a cap, or eviction once
/// the failures exceed the limit) with its timer, and the transport's start request for a respawn.
/// </summary>
/// <remarks>
/// It has no lock and no state of its own beyond each slot's timers: the methods that touch a slot run under the
/// supervisor's lock (asserted in DEBUG builds), and the timers call up through the delegates given at construction,
/// taking no lock before they reach the supervisor. A respawn's start is a task nobody awaits: it catches everything
/// the transport throws, so a start racing a stop never surfaces as an unobserved exception. The stop token it reads
/// belongs to a source that is canceled at stop and never disposed (it has no timer), so a late start can still read it.
/// </remarks>
internal sealed class WorkerStarter
{
    private readonly string _poolName;
    private readonly IWorkerTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _supervisorGate;
    private readonly TimeSpan _respawnInitialDelay;
    private readonly TimeSpan _respawnMaxDelay;
    private readonly int _maxRespawnAttempts;
    private readonly Action<int, int> _timedOut;
    private readonly Action<int> _respawnDue;
    private readonly Action<int, int, string> _startFailed;
    private readonly CancellationTokenSource _stopping = new();

    // timedOut (worker, start version), respawnDue (worker), startFailed (worker, start version, reason): up to the supervisor.
    public WorkerStarter(
        string poolName,
        IWorkerTransport transport,
        TimeProvider time,
        ILogger logger,
        WorkerPoolOptions options,
        Lock supervisorGate,
        Action<int, int> timedOut,
        Action<int> respawnDue,
        Action<int, int, string> startFailed)
    {
        _poolName = poolName;
        _transport = transport;
        _time = time;
        _logger = logger;
        _supervisorGate = supervisorGate;
        StartTimeout = options.StartTimeout;
        _respawnInitialDelay = options.RespawnInitialDelay;
        _respawnMaxDelay = options.RespawnMaxDelay;
        _maxRespawnAttempts = options.MaxRespawnAttempts;
        _timedOut = timedOut;
        _respawnDue = respawnDue;
        _startFailed = startFailed;
    }

    /// <summary>Gets how long a start may take before the worker is treated as lost.</summary>
    public TimeSpan StartTimeout { get; }

    /// <summary>Counts a new start of the slot and arms its timeout. Called under the supervisor's lock.</summary>
    /// <returns>The start's version: its timeout, and a failure of its transport request, act only while it is the current one.</returns>
    public int Arm(WorkerSlot slot)
    {
        Debug.Assert(_supervisorGate.IsHeldByCurrentThread, "Start timers change under the supervisor's lock.");
        int version = ++slot.StartVersion;
        Disarm(slot);
        slot.StartTimer = _time.CreateTimer(static state => ((TimerState)state!).TimedOut(), new TimerState(this, slot.Index, version), StartTimeout, Timeout.InfiniteTimeSpan);
        return version;
    }

    /// <summary>The start ended (ready, lost or stopped): its timeout is off. Called under the supervisor's lock.</summary>
    public void Disarm(WorkerSlot slot)
    {
        Debug.Assert(_supervisorGate.IsHeldByCurrentThread, "Start timers change under the supervisor's lock.");
        slot.StartTimer?.Dispose();
        slot.StartTimer = null;
    }

    /// <summary>
    /// Plans the next start of a lost worker after its streak of <paramref name="failures"/>: arms the respawn timer with
    /// the backoff, or declines when the streak is over the limit (the worker is to be evicted). Called under the
    /// supervisor's lock.
    /// </summary>
    /// <param name="slot">The lost worker's slot.</param>
    /// <param name="failures">Its consecutive crashes and failed starts, this one included.</param>
    /// <param name="delay">The backoff before the respawn.</param>
    /// <returns><see langword="false"/> when the worker must be evicted instead.</returns>
    public bool TryPlanRespawn(WorkerSlot slot, int failures, out TimeSpan delay)
    {
        Debug.Assert(_supervisorGate.IsHeldByCurrentThread, "Respawn timers change under the supervisor's lock.");
        if (failures > _maxRespawnAttempts)
        {
            delay = Timeout.InfiniteTimeSpan;
            return false;
        }

        double factor = Math.Pow(2, failures - 1);
        delay = TimeSpan.FromTicks((long)Math.Min(_respawnInitialDelay.Ticks * factor, _respawnMaxDelay.Ticks));
        slot.RespawnTimer?.Dispose();
        slot.RespawnTimer = _time.CreateTimer(static state => ((TimerState)state!).RespawnDue(), new TimerState(this, slot.Index, 0), delay, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>The respawn is under way or called off: its timer is off. Called under the supervisor's lock.</summary>
    public void CancelRespawn(WorkerSlot slot)
    {
        Debug.Assert(_supervisorGate.IsHeldByCurrentThread, "Respawn timers change under the supervisor's lock.");
        slot.RespawnTimer?.Dispose();
        slot.RespawnTimer = null;
    }

    /// <summary>Asks the transport, in the background, for the respawn start <paramref name="version"/> of the worker.</summary>
    public void RequestRespawn(int worker, int version) => _ = RespawnAsync(worker, version, _stopping.Token);

    /// <summary>The pool stops: a respawn start under way is abandoned, whatever the transport then throws.</summary>
    public void Stop() => _stopping.Cancel();

    private async Task RespawnAsync(int worker, int version, CancellationToken stopping)
    {
        try
        {
            await _transport.StartWorkerAsync(worker, version, stopping).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (stopping.IsCancellationRequested)
            {
                // The pool stopped while the transport was starting the worker: whatever it threw is moot.
                Log.StartAbandoned(_logger, _poolName, worker, ex.Message);
            }
            else
            {
                _startFailed(worker, version, $"the transport could not start it: {ex.Message}");
            }
        }
    }

    /// <summary>The state of a slot's start and respawn timers.</summary>
    private sealed record TimerState(WorkerStarter Owner, int Worker, int Version)
    {
        public void TimedOut() => Owner._timedOut(Worker, Version);

        public void RespawnDue() => Owner._respawnDue(Worker);
    }
}
