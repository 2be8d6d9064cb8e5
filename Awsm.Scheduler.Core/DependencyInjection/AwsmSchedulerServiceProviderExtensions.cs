using Awsm.Scheduler;
using Awsm.Scheduler.DependencyInjection;
using Awsm.Scheduler.Resilience;
using Awsm.Scheduler.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Starts the pools registered with <c>AddAwsmScheduler</c> where no host runs hosted services, and reaches their transports.</summary>
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

    /// <summary>
    /// Gets the transport a registered pool was created with, to drive what that transport offers beyond
    /// <see cref="IWorkerTransport"/> (which host serves a worker, fault controls in tests). Creates the pool if it was not
    /// resolved yet. Transport packages wrap this, for example <c>GetRedisTransport</c> and <c>GetFaultInjectingTransport</c>.
    /// </summary>
    /// <typeparam name="TTransport">The transport type the caller expects.</typeparam>
    /// <param name="services">The built service provider.</param>
    /// <param name="poolName">The pool's name.</param>
    /// <returns>The pool's transport.</returns>
    /// <exception cref="InvalidOperationException">The pool runs on a transport of another type.</exception>
    public static TTransport GetWorkerTransport<TTransport>(this IServiceProvider services, string poolName = WorkerPoolDefaults.Name)
        where TTransport : class, IWorkerTransport
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(poolName);
        IWorkerPool pool = services.GetRequiredKeyedService<IWorkerPool>(poolName);
        IWorkerTransport? transport = (pool is ResilientWorkerPool resilient ? resilient.Inner : pool) is WorkerPool created ? created.Transport : null;
        return transport as TTransport
            ?? throw new InvalidOperationException($"Pool '{poolName}' runs on {transport?.GetType().Name ?? "a transport this container did not create"}, not on {typeof(TTransport).Name}.");
    }
}
