namespace Awsm.Scheduler;

/// <summary>The job a strategy places: its name and what its dispatch asked for.</summary>
/// <param name="JobName">The job's registered name.</param>
/// <param name="Key">The job's placement key (<see cref="DispatchOptions.Key"/>), or <see langword="null"/>.</param>
/// <param name="Priority">The job's priority (<see cref="DispatchOptions.Priority"/>).</param>
public readonly record struct JobPlacement(string JobName, string? Key, JobPriority Priority);
