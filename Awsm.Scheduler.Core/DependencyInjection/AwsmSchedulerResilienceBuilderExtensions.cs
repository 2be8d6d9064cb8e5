using Awsm.Scheduler.DependencyInjection;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Runs every dispatch of a pool registered through <c>AddAwsmScheduler</c> inside a Polly <see cref="ResiliencePipeline"/>.
/// A pool has at most one pipeline; the last call wins.
/// </summary>
public static class AwsmSchedulerResilienceBuilderExtensions
{
    /// <summary>Runs the pool's dispatches inside <paramref name="pipeline"/>.</summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder AddResilience(this IAwsmSchedulerBuilder builder, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return SetPipeline(builder, _ => pipeline);
    }

    /// <summary>
    /// Runs the pool's dispatches inside a pipeline configured here and built once, when the pool is created, with the
    /// container's <see cref="TimeProvider"/> (so a fake clock drives its delays and timeouts in tests).
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Adds strategies, outermost first.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <example>
    /// <code>
    /// services.AddAwsmScheduler()
    ///     .UseInProcTransport()
    ///     .AddResilience(pipeline => pipeline
    ///         .AddRetry(new RetryStrategyOptions { ShouldHandle = SchedulerFailures.TransientPredicate(), MaxRetryAttempts = 2 })
    ///         .AddTimeout(TimeSpan.FromSeconds(10)));
    /// </code>
    /// </example>
    public static IAwsmSchedulerBuilder AddResilience(this IAwsmSchedulerBuilder builder, Action<ResiliencePipelineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        string name = builder.Name;
        return SetPipeline(builder, sp => SchedulerPoolFactory.BuildPipeline(sp, name, configure));
    }

    /// <summary>
    /// Runs the pool's dispatches inside the pipeline registered under <paramref name="key"/> in
    /// <c>ResiliencePipelineProvider&lt;string&gt;</c> (for example with <c>services.AddResiliencePipeline(key, ...)</c> from
    /// Polly.Extensions). A key that is not registered fails the host's start.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="key">The pipeline's key.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseResiliencePipeline(this IAwsmSchedulerBuilder builder, string key)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        builder.Services.Configure<SchedulerPoolSettings>(builder.Name, s =>
        {
            s.PipelineKey = key;
            s.PipelineFactory = null;
        });
        return builder;
    }

    private static IAwsmSchedulerBuilder SetPipeline(IAwsmSchedulerBuilder builder, Func<IServiceProvider, ResiliencePipeline> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<SchedulerPoolSettings>(builder.Name, s =>
        {
            s.PipelineFactory = factory;
            s.PipelineKey = null;
        });
        return builder;
    }
}
