using System.Runtime.Versioning;

namespace Awsm.Scheduler.Samples.Browser.Jobs;

/// <summary>The sample's job registrations, shared by the page and every worker.</summary>
[SupportedOSPlatform("browser")]
public static class SampleJobs
{
    /// <summary>Registers the jobs both sides know.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry.</returns>
    public static JobRegistry Register(JobRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .Add<MandelbrotTileJob, TileRequest, byte[]>(SampleJsonContext.Default)
            .AddProgress<MandelbrotTileJob, double>(SampleJsonContext.Default)
            .Add<EchoJob, byte[], byte[]>(SampleJsonContext.Default)
            .Add<WhoAmIJob, int, int>(SampleJsonContext.Default)
            .Add<WaitJob, int, string>(SampleJsonContext.Default)
            .Add<SpinJob, int, int>(SampleJsonContext.Default)
            .Add<CrashJob, int, int>(SampleJsonContext.Default)
            .Add<MalformedJob, int, int>(SampleJsonContext.Default);
    }

    /// <summary>The page's registry: the shared jobs plus one the workers do not know.</summary>
    /// <returns>A new registry.</returns>
    public static JobRegistry CreatePageRegistry() => Register(new JobRegistry()).Add<PageOnlyJob, int, int>(SampleJsonContext.Default);
}
