namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// A pending job together with the generation it was handed over in: what the ledgers' snapshots, the waiting set, the queue and the timer
/// and token callbacks hold. Every call on the job passes the generation (see <see cref="PendingJob"/>), so a holder
/// that outlives the job's end cannot reach a later dispatch that reuses the instance.
/// </summary>
internal readonly record struct PendingRef(PendingJob Job, long Generation);
