namespace Awsm.Scheduler.Demo.Jobs;

/// <summary>
/// How far a running tile got: the worker that renders it and the rows finished so far. The worker index travels in
/// the value because a progress callback knows nothing else about where its job runs.
/// </summary>
/// <param name="WorkerIndex">The index of the worker rendering the tile (<see cref="JobContext.WorkerIndex"/>).</param>
/// <param name="RowsDone">Rows of the tile rendered so far, from 1 to the tile's height.</param>
public readonly record struct TileProgress(int WorkerIndex, int RowsDone);
