using Awsm.Scheduler;
using Awsm.Scheduler.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Awsm.Scheduler worker pools in a service collection.</summary>
public static class AwsmSchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default pool (named <see cref="WorkerPoolDefaults.Name"/>), resolvable as <see cref="IWorkerPool"/>
    /// and as the keyed service <c>[FromKeyedServices("default")] IWorkerPool</c>. See
    /// <see cref="AddAwsmScheduler(IServiceCollection, string)"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to configure the pool's transport, jobs, options and resilience.</returns>
    public static IAwsmSchedulerBuilder AddAwsmScheduler(this IServiceCollection services) =>
        AddAwsmScheduler(services, WorkerPoolDefaults.Name);

    /// <summary>
    /// Registers a named pool, resolvable as the keyed service <c>[FromKeyedServices(name)] IWorkerPool</c> (and, for the
    /// default name, as <see cref="IWorkerPool"/> too). The pool takes <see cref="TimeProvider"/>,
    /// <see cref="Logging.ILoggerFactory"/>, <see cref="System.Diagnostics.Metrics.IMeterFactory"/> and the service provider
    /// from the container; a hosted service starts it with the host and drains it when the host stops. Its options and
    /// settings are validated when the host starts. Calling this again with the same name registers nothing new and
    /// returns a builder for the same pool.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name; not empty.</param>
    /// <returns>A builder to configure the pool's transport, jobs, options and resilience.</returns>
    public static IAwsmSchedulerBuilder AddAwsmScheduler(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        SchedulerPoolNames pools = AddSharedServices(services);
        if (pools.TryAdd(name))
        {
            services.AddOptions<WorkerPoolOptions>(name).Configure(o => o.Name = name).ValidateOnStart();
            services.AddOptions<SchedulerPoolSettings>(name).ValidateOnStart();
            services.AddKeyedSingleton<IWorkerPool>(name, static (sp, key) => SchedulerPoolFactory.Create(sp, (string)key!));
            if (name == WorkerPoolDefaults.Name)
            {
                services.TryAddSingleton<IWorkerPool>(static sp => sp.GetRequiredKeyedService<IWorkerPool>(WorkerPoolDefaults.Name));
            }
        }

        return new AwsmSchedulerBuilder(name, services);
    }

    /// <summary>Registers a named pool and configures its options. See <see cref="AddAwsmScheduler(IServiceCollection, string)"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name; not empty.</param>
    /// <param name="configure">Configures the pool's options; a value a setter rejects fails the host's start, naming the option.</param>
    /// <returns>A builder to configure the pool's transport, jobs and resilience.</returns>
    public static IAwsmSchedulerBuilder AddAwsmScheduler(this IServiceCollection services, string name, Action<WorkerPoolOptions> configure) =>
        AddAwsmScheduler(services, name).Configure(configure);

    private static SchedulerPoolNames AddSharedServices(IServiceCollection services)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(SchedulerPoolNames) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is SchedulerPoolNames existing)
            {
                return existing;
            }
        }

        var pools = new SchedulerPoolNames();
        services.AddSingleton(pools);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerPoolOptions>, WorkerPoolOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerPoolSettings>, SchedulerPoolSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AwsmSchedulerHostedService>());

        // Any other key: fail with the names that do exist instead of the container's generic "no service" message.
        services.TryAddKeyedSingleton<IWorkerPool>(KeyedService.AnyKey, static (sp, key) => throw new InvalidOperationException(
            $"No Awsm.Scheduler pool is registered under the key '{key}'. Registered pools: {sp.GetRequiredService<SchedulerPoolNames>().Describe()}. " +
            $"Register it with services.AddAwsmScheduler(\"{key}\")."));
        return pools;
    }
}
