using Awsm.Scheduler;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.InProc.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a pool registered through <c>AddAwsmScheduler</c> on the in-process transport.</summary>
public static class InProcSchedulerBuilderExtensions
{
    /// <summary>
    /// Runs the pool's workers on dedicated threads in this process. In tests, this one line replaces another
    /// transport (the last <c>Use…Transport</c> call wins); <see cref="GetInProcTransport"/> then reaches the transport's
    /// fault-injection controls.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Configures the transport; <see cref="InProcPayloadMode.Serialized"/> by default.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseInProcTransport(this IAwsmSchedulerBuilder builder, Action<InProcTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InProcTransportTracker>();
        string name = builder.Name;
        return builder.UseTransport(sp =>
        {
            var options = new InProcTransportOptions();
            configure?.Invoke(options);
            var transport = new InProcTransport(options);
            sp.GetRequiredService<InProcTransportTracker>().Add(name, transport);
            return transport;
        });
    }

    /// <summary>
    /// Gets the in-process transport of a pool, to drive its test controls (crash, pause, hold and release). Creates the
    /// pool if it was not resolved yet.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="poolName">The pool's name.</param>
    /// <returns>The pool's transport.</returns>
    /// <exception cref="InvalidOperationException">The pool does not run on the in-process transport.</exception>
    public static InProcTransport GetInProcTransport(this IServiceProvider services, string poolName = WorkerPoolDefaults.Name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(poolName);
        services.GetRequiredKeyedService<IWorkerPool>(poolName);
        InProcTransportTracker? tracker = services.GetService<InProcTransportTracker>();
        if (tracker is null || !tracker.TryGet(poolName, out InProcTransport? transport) || transport is null)
        {
            throw new InvalidOperationException($"Pool '{poolName}' does not run on the in-process transport; call UseInProcTransport() on its builder.");
        }

        return transport;
    }
}
