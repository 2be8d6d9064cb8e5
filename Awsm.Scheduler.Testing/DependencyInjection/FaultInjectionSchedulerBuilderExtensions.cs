using Awsm.Scheduler;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Testing.Internal;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a pool registered through <c>AddAwsmScheduler</c> on a transport wrapped in a <see cref="FaultInjectingTransport"/>.</summary>
public static class FaultInjectionSchedulerBuilderExtensions
{
    /// <summary>
    /// Sets the pool's transport to <paramref name="innerFactory"/>'s, wrapped in a <see cref="FaultInjectingTransport"/>
    /// that <see cref="GetFaultInjectingTransport"/> returns (the last <c>Use…Transport</c> call wins).
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="innerFactory">Creates the transport to wrap, e.g. <c>_ =&gt; new InProcTransport()</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseFaultInjectingTransport(this IAwsmSchedulerBuilder builder, Func<IServiceProvider, IWorkerTransport> innerFactory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(innerFactory);
        builder.Services.TryAddSingleton<FaultInjectingTransportTracker>();
        string name = builder.Name;
        return builder.UseTransport(sp =>
        {
            var transport = new FaultInjectingTransport(innerFactory(sp));
            sp.GetRequiredService<FaultInjectingTransportTracker>().Add(name, transport);
            return transport;
        });
    }

    /// <summary>Gets the fault-injecting transport of a pool, to drive its controls. Creates the pool if it was not resolved yet.</summary>
    /// <param name="services">The container.</param>
    /// <param name="poolName">The pool's name.</param>
    /// <returns>The pool's transport.</returns>
    /// <exception cref="InvalidOperationException">The pool's transport is not wrapped in a fault-injecting one.</exception>
    public static FaultInjectingTransport GetFaultInjectingTransport(this IServiceProvider services, string poolName = WorkerPoolDefaults.Name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(poolName);
        services.GetRequiredKeyedService<IWorkerPool>(poolName);
        FaultInjectingTransportTracker? tracker = services.GetService<FaultInjectingTransportTracker>();
        if (tracker is null || !tracker.TryGet(poolName, out FaultInjectingTransport? transport) || transport is null)
        {
            throw new InvalidOperationException($"Pool '{poolName}' does not run on a fault-injecting transport; call UseFaultInjectingTransport(...) on its builder.");
        }

        return transport;
    }
}
