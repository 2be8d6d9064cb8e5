using Awsm.Scheduler;
using Awsm.Scheduler.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Starts the pools registered with <c>AddAwsmScheduler</c> where no host runs hosted services.</summary>
public static class AwsmSchedulerServiceProviderExtensions
{
    /// <summary>
    /// Starts every pool registered in <paramref name="services"/> and waits until their workers are ready. Where a
    /// generic host runs, its hosted service does this; a Blazor WebAssembly <c>WebAssemblyHost</c> runs no hosted
    /// services, and there a pool also starts by itself on its first dispatch. Call this (for example
    /// <c>await host.Services.StartAwsmSchedulerAsync();</c> before <c>RunAsync</c>) to start the workers early and to
    /// see a start failure at once rather than on the first dispatch.
    /// </summary>
    /// <param name="services">The built service provider.</param>
    /// <param name="cancellationToken">Stops waiting for the start; the pools then stop.</param>
    /// <returns>A task that completes when every pool is ready; it fails with the first pool's start error.</returns>
    public static Task StartAwsmSchedulerAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        SchedulerPoolNames? pools = services.GetService<SchedulerPoolNames>();
        if (pools is null)
        {
            throw new InvalidOperationException("No Awsm.Scheduler pool is registered: call services.AddAwsmScheduler(...) first.");
        }

        return Task.WhenAll(pools.Names.Select(name => services.GetRequiredKeyedService<IWorkerPool>(name).StartAsync(cancellationToken)));
    }
}
