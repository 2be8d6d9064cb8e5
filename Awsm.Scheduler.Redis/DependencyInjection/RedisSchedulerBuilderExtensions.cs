using Awsm.Scheduler;
using Awsm.Scheduler.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a pool registered through <c>AddAwsmScheduler</c> on worker-host processes, over Redis.</summary>
public static class RedisSchedulerBuilderExtensions
{
    /// <summary>
    /// Runs the pool's workers on worker hosts (<c>AddAwsmSchedulerWorkerHost</c>) through Redis Streams. The connection
    /// comes from <see cref="RedisConnectionOptions.ConfigurationOptions"/> or <see cref="RedisConnectionOptions.Configuration"/>
    /// (created and disposed by the transport), else from the <see cref="IConnectionMultiplexer"/> registered in DI
    /// (never disposed by the transport). The last <c>Use…Transport</c> call wins.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Configures the transport.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseRedisTransport(this IAwsmSchedulerBuilder builder, Action<RedisTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string name = builder.Name;
        return builder.UseTransport(sp =>
        {
            var options = new RedisTransportOptions();
            configure?.Invoke(options);
            return options.ConfigurationOptions is null && string.IsNullOrWhiteSpace(options.Configuration)
                ? new RedisTransport(
                    sp.GetService<IConnectionMultiplexer>() ?? throw new InvalidOperationException($"Pool '{name}': set RedisTransportOptions.Configuration or ConfigurationOptions, or register an IConnectionMultiplexer."),
                    options)
                : new RedisTransport(options);
        });
    }

    /// <summary>Gets the Redis transport of a pool (for example to show which host serves each worker). Creates the pool if it was not resolved yet.</summary>
    /// <param name="services">The container.</param>
    /// <param name="poolName">The pool's name.</param>
    /// <returns>The pool's transport.</returns>
    /// <exception cref="InvalidOperationException">The pool does not run on the Redis transport (the message names the one it runs on).</exception>
    public static RedisTransport GetRedisTransport(this IServiceProvider services, string poolName = WorkerPoolDefaults.Name) =>
        services.GetWorkerTransport<RedisTransport>(poolName);
}
