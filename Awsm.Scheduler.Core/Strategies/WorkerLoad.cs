namespace Awsm.Scheduler;

/// <summary>A worker that can take a job now, as a strategy sees it.</summary>
/// <param name="WorkerIndex">The worker's index.</param>
/// <param name="InFlight">How many jobs the worker holds (sent and not yet completed).</param>
public readonly record struct WorkerLoad(int WorkerIndex, int InFlight);
