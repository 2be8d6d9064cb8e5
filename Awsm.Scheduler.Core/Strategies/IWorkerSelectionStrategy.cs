namespace Awsm.Scheduler;

/// <summary>
/// Chooses the worker for the next job. The pool offers only live, ready workers below their in-flight limit,
/// so a strategy never sees a dead one. Implement it for custom placement (affinity, weights, hashing); the pool calls
/// it from one thread at a time.
/// </summary>
public interface IWorkerSelectionStrategy
{
    /// <summary>Chooses one of <paramref name="candidates"/> for <paramref name="job"/>. Never called with an empty span.</summary>
    /// <param name="job">The job being placed: its name, key and priority.</param>
    /// <param name="candidates">The workers that can take a job now, in index order, with their loads.</param>
    /// <returns>The position in <paramref name="candidates"/> of the chosen worker.</returns>
    int Select(in JobPlacement job, ReadOnlySpan<WorkerLoad> candidates);
}
