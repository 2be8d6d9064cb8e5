namespace Awsm.Scheduler.Redis.Internal;

/// <summary>A pool registered with <c>ServePool</c>: its name and the code that registers its jobs.</summary>
/// <param name="PoolName">The pool's name (the dispatchers' pool name).</param>
/// <param name="RegisterJobs">Adds the pool's jobs to a registry.</param>
internal sealed record WorkerHostPoolRegistration(string PoolName, Action<JobRegistry> RegisterJobs);
