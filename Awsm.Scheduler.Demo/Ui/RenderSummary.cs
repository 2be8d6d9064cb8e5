using Awsm.Scheduler.Demo.Rendering;

namespace Awsm.Scheduler.Demo.Ui;

/// <summary>What the final table shows: the render's own counters plus the pool's last stats snapshot.</summary>
internal sealed record RenderSummary(
    string Outcome,
    RenderProgress Progress,
    WorkerPoolStats Stats,
    TimeSpan Elapsed,
    long PixelsRendered,
    string Strategy,
    string Mode,
    string? OutputPath);
