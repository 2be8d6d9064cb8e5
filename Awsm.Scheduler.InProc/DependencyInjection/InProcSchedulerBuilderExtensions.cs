using Awsm.Scheduler.InProc;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a pool registered through <c>AddAwsmScheduler</c> on the in-process transport.</summary>
public static class InProcSchedulerBuilderExtensions
{
    /// <summary>
    /// Runs the pool's workers in this process (see <see cref="InProcTransportOptions.Threading"/>). In tests, this one line replaces another
    /// transport (the last <c>Use…Transport</c> call wins); to inject faults, wrap it instead with
    /// <c>UseFaultInjectingTransport(_ =&gt; new InProcTransport())</c> from <c>Awsm.Scheduler.Testing</c>.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Configures the transport; <see cref="InProcPayloadMode.Serialized"/> by default.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseInProcTransport(this IAwsmSchedulerBuilder builder, Action<InProcTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseTransport(_ =>
        {
            var options = new InProcTransportOptions();
            configure?.Invoke(options);
            return new InProcTransport(options);
        });
    }
}
