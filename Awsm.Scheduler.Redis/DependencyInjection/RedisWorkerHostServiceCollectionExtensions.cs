using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Redis.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes this process a worker host: it serves worker slots of remote pools that run on the Redis transport.</summary>
public static class RedisWorkerHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds the worker-host background service: it claims worker slots of the pools named with
    /// <see cref="AwsmWorkerHostBuilderExtensions.ServePool"/> (up to <see cref="RedisWorkerHostOptions.MaxSlots"/>),
    /// runs each on its own thread with Core's worker-side job runtime, renews their leases, and on graceful shutdown
    /// finishes what it holds and hands its slots over. Calling it again adds no second service.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Configures the host.</param>
    /// <returns>A builder to name the pools and their jobs.</returns>
    public static IAwsmWorkerHostBuilder AddAwsmSchedulerWorkerHost(this IServiceCollection services, Action<RedisWorkerHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RedisWorkerHostOptions> options = services.AddOptions<RedisWorkerHostOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisWorkerHostService>());
        return new AwsmWorkerHostBuilder(services);
    }
}
