using Awsm.Scheduler.Testing.Internal;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// Where a gated conformance job and the scenario that dispatched it meet: the job reports that it started and that its
/// cancellation token fired, and waits until the scenario releases it. Gates are named by a key that travels in the job's
/// input.
/// </summary>
/// <remarks>
/// Workers that share the scenario's process use <see cref="InProcess"/>. A transport whose workers run elsewhere (a
/// browser worker, another process) supplies a board that carries these signals across its boundary, and the worker
/// side registers the jobs with it (<see cref="ConformanceJobs.Register"/>). Every member must be thread-safe, and a
/// signal may come before or after the other side asks for it.
/// </remarks>
public abstract class GateBoard
{
    /// <summary>Gets a board in this process's memory, for workers that share it (threads, thread-pool work items).</summary>
    public static GateBoard InProcess { get; } = new InProcessGateBoard();

    /// <summary>Scenario side: completes with the worker index once the gated job started.</summary>
    /// <param name="key">The gate.</param>
    /// <returns>The worker that runs it.</returns>
    public abstract Task<int> WhenStarted(string key);

    /// <summary>Scenario side: lets the gated job finish.</summary>
    /// <param name="key">The gate.</param>
    public abstract void Release(string key);

    /// <summary>Scenario side: completes once the gated job's cancellation token fired in its worker.</summary>
    /// <param name="key">The gate.</param>
    /// <returns>A task that completes then.</returns>
    public abstract Task WhenTokenFired(string key);

    /// <summary>Worker side: the gated job started on <paramref name="workerIndex"/>.</summary>
    /// <param name="key">The gate.</param>
    /// <param name="workerIndex">The worker that runs it.</param>
    public abstract void ReportStarted(string key, int workerIndex);

    /// <summary>Worker side: completes once the scenario released the gate.</summary>
    /// <param name="key">The gate.</param>
    /// <returns>A task that completes then.</returns>
    public abstract Task WhenReleased(string key);

    /// <summary>Worker side: the gated job's cancellation token fired.</summary>
    /// <param name="key">The gate.</param>
    public abstract void ReportTokenFired(string key);
}
