using System.Runtime.Versioning;
using Awsm.Scheduler;
using Awsm.Scheduler.WebWorker;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a pool registered through <c>AddAwsmScheduler</c> on browser Web Workers.</summary>
public static class WebWorkerSchedulerBuilderExtensions
{
    /// <summary>
    /// Runs the pool's workers as browser Web Workers, each with its own .NET runtime (the last <c>Use…Transport</c> call
    /// wins). The transport's start timeout is the pool's <see cref="WorkerPoolOptions.StartTimeout"/> unless
    /// <paramref name="configure"/> sets another. The app's <c>Main</c> must call <see cref="WebWorkerHost.RunAsync"/> when
    /// <see cref="WebWorkerHost.IsWorker"/>, with the same job registrations.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Configures the transport.</param>
    /// <returns>The builder, for chaining.</returns>
    [SupportedOSPlatform("browser")]
    public static IAwsmSchedulerBuilder UseWebWorkerTransport(this IAwsmSchedulerBuilder builder, Action<WebWorkerTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string name = builder.Name;
        return builder.UseTransport(sp =>
        {
            var options = new WebWorkerTransportOptions
            {
                StartTimeout = sp.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>().Get(name).StartTimeout,
            };
            configure?.Invoke(options);
            return new WebWorkerTransport(options);
        });
    }
}
