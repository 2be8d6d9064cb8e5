using Awsm.Scheduler;
using Awsm.Scheduler.WebWorker;
using Awsm.Scheduler.WebWorker.Internal;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a pool registered through <c>AddAwsmScheduler</c> on browser Web Workers.</summary>
public static class WebWorkerSchedulerBuilderExtensions
{
    /// <summary>
    /// Runs the pool's workers as browser Web Workers, each with its own .NET runtime (the last <c>Use…Transport</c> call
    /// wins). Starts time out after the pool's <see cref="WorkerPoolOptions.StartTimeout"/>. The app's <c>Main</c> must call <see cref="WebWorkerHost.RunAsync"/> when
    /// <see cref="WebWorkerHost.IsWorker"/>, with the same job registrations.
    /// </summary>
    /// <remarks>
    /// Callable on any platform (registration only, so a Blazor <c>Program.cs</c> needs no platform guard around it);
    /// resolving the pool outside a browser throws <see cref="PlatformNotSupportedException"/>.
    /// </remarks>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Configures the transport.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseWebWorkerTransport(this IAwsmSchedulerBuilder builder, Action<WebWorkerTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string name = builder.Name;
        return builder.UseTransport(sp =>
        {
            if (!OperatingSystem.IsBrowser())
            {
                throw new PlatformNotSupportedException($"Pool '{name}' uses the WebWorker transport, which runs only in a browser (a .NET WebAssembly app's page). Use UseInProcTransport() elsewhere, for example in tests.");
            }

            var options = new WebWorkerTransportOptions();
            configure?.Invoke(options);
            var transport = new WebWorkerTransport(options);
            if (options.StartEarly)
            {
                EarlyStart.Schedule(sp, name);
            }

            return transport;
        });
    }
}
