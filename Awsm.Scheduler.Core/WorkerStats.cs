namespace Awsm.Scheduler;

/// <summary>One worker in a <see cref="WorkerPoolStats"/> snapshot.</summary>
/// <param name="WorkerIndex">The worker's index.</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="InFlight">How many jobs it holds.</param>
/// <param name="Completed">How many jobs it finished (result or job error) since the pool started.</param>
/// <param name="Crashes">How many times it crashed or failed to start since the pool started.</param>
public readonly record struct WorkerStats(int WorkerIndex, WorkerState State, int InFlight, long Completed, int Crashes);
