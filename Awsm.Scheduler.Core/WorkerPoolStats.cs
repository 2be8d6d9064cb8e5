namespace Awsm.Scheduler;

/// <summary>A point-in-time snapshot of a pool's counters. Counters are cumulative since the pool was created.</summary>
public sealed record WorkerPoolStats
{
    /// <summary>Gets the pool's name.</summary>
    public required string PoolName { get; init; }

    /// <summary>Gets the workers that can run jobs now.</summary>
    public required int WorkersAlive { get; init; }

    /// <summary>Gets a value indicating whether the pool has fewer live workers than slots (crashes, respawns, evictions).</summary>
    public bool IsDegraded => WorkersAlive < Workers.Count;

    /// <summary>Gets the jobs accepted for dispatch.</summary>
    public required long Dispatched { get; init; }

    /// <summary>Gets the jobs completed with a result.</summary>
    public required long Completed { get; init; }

    /// <summary>Gets the jobs that failed (job error, crash, serialization, transport, abort, no live worker).</summary>
    public required long Failed { get; init; }

    /// <summary>Gets the jobs canceled by their caller.</summary>
    public required long Canceled { get; init; }

    /// <summary>Gets the jobs that timed out.</summary>
    public required long TimedOut { get; init; }

    /// <summary>Gets the job inputs currently quarantined as poison (see <see cref="WorkerPoolOptions.PoisonJobThreshold"/>).</summary>
    public int QuarantinedInputs { get; init; }

    /// <summary>
    /// Gets the dispatches refused because their input is quarantined: refused at dispatch (never accepted, so not in
    /// <see cref="Dispatched"/>) or failed while queued (also counted in <see cref="Failed"/>).
    /// </summary>
    public long Refused { get; init; }

    /// <summary>Gets the jobs waiting in the dispatch queue.</summary>
    public required int QueueDepth { get; init; }

    /// <summary>Gets the jobs not yet completed (queued plus in flight).</summary>
    public required int Pending { get; init; }

    /// <summary>Gets the per-worker view, in index order.</summary>
    public required IReadOnlyList<WorkerStats> Workers { get; init; }

    /// <summary>Gets the median round trip (send to completion) of recent jobs.</summary>
    public required TimeSpan RoundTripP50 { get; init; }

    /// <summary>Gets the 99th percentile round trip of recent jobs.</summary>
    public required TimeSpan RoundTripP99 { get; init; }

    /// <summary>Gets the jobs held by workers, summed over workers.</summary>
    public int InFlight => Workers.Sum(w => w.InFlight);
}
