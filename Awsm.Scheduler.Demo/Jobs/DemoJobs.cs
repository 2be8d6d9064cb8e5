namespace Awsm.Scheduler.Demo.Jobs;

/// <summary>The demo's job set, registered the same way on the dispatching side and on every worker host.</summary>
public static class DemoJobs
{
    /// <summary>The pool name the demo dispatches to.</summary>
    public const string PoolName = "mandelbrot";

    /// <summary>Adds the demo's jobs, and the progress type of each, to a registry.</summary>
    /// <param name="registry">The registry.</param>
    public static void Register(JobRegistry registry) =>
        registry.Add(MandelbrotTileJob.Handle, DemoJsonContext.Default)
                .AddProgress<TileRequest, byte[], TileProgress>(MandelbrotTileJob.Handle, DemoJsonContext.Default);
}
