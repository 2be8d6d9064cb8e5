using Awsm.Scheduler;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;

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
        return builder.UseTransport(sp => new FaultInjectingTransport(innerFactory(sp)));
    }

    /// <summary>Gets the fault-injecting transport of a pool, to drive its controls. Creates the pool if it was not resolved yet.</summary>
    /// <param name="services">The container.</param>
    /// <param name="poolName">The pool's name.</param>
    /// <returns>The pool's transport.</returns>
    /// <exception cref="InvalidOperationException">The pool's transport is not wrapped in a fault-injecting one.</exception>
    public static FaultInjectingTransport GetFaultInjectingTransport(this IServiceProvider services, string poolName = WorkerPoolDefaults.Name) =>
        services.GetWorkerTransport<FaultInjectingTransport>(poolName);
}
