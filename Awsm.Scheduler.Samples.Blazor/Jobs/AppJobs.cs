namespace Awsm.Scheduler.Samples.Blazor.Jobs;

/// <summary>The app's job registrations: the same code on the page and in every worker.</summary>
public static class AppJobs
{
    /// <summary>Registers the app's jobs.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry.</returns>
    public static JobRegistry Register(JobRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .Add(PrimeCountJob.Handle, AppJsonContext.Default)
            .AddProgress<PrimeRange, PrimeCount, double>(PrimeCountJob.Handle, AppJsonContext.Default);
    }
}
