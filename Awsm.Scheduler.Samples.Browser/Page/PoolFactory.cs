using System.Runtime.Versioning;
using Awsm.Scheduler.Samples.Browser.Jobs;
using Awsm.Scheduler.WebWorker;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>Creates pools of web workers on the page, all logging into <see cref="Logs"/>.</summary>
[SupportedOSPlatform("browser")]
internal static class PoolFactory
{
    /// <summary>Gets the page's log (the e2e tests read it).</summary>
    public static MemoryLoggerProvider Logs { get; } = new();

    /// <summary>Creates (not starts) a pool of web workers with the page's registry.</summary>
    public static (WorkerPool Pool, WebWorkerTransport Transport) Create(int workers, Action<WorkerPoolOptions>? configure = null, Action<WebWorkerTransportOptions>? transport = null, string name = "sample")
    {
        var options = new WorkerPoolOptions
        {
            Name = name,
            WorkerCount = workers,
            StartTimeout = TimeSpan.FromSeconds(30),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
            RespawnInitialDelay = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        var transportOptions = new WebWorkerTransportOptions();
        transport?.Invoke(transportOptions);
        var webWorkers = new WebWorkerTransport(transportOptions);
        return (new WorkerPool(webWorkers, SampleJobs.CreatePageRegistry(), options, loggerFactory: Logs), webWorkers);
    }

    /// <summary>Stops a pool at once (fails what is left) and disposes it.</summary>
    public static async Task StopAsync(WorkerPool pool)
    {
        await pool.StopAsync(PoolShutdownMode.Abort);
        await pool.DisposeAsync();
    }
}
