using System.Diagnostics.Metrics;
using Awsm.Scheduler.Resilience;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>Creates the pools registered through <c>AddAwsmScheduler</c>, from what the container holds.</summary>
internal static class SchedulerPoolFactory
{
    public static IWorkerPool Create(IServiceProvider services, string name)
    {
        // Both Get calls validate: an invalid pool fails here with the same messages as at host start.
        WorkerPoolOptions options = services.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>().Get(name);
        SchedulerPoolSettings settings = services.GetRequiredService<IOptionsMonitor<SchedulerPoolSettings>>().Get(name);

        JobRegistry registry = settings.BuildRegistry();
        ResiliencePipeline? pipeline = ResolvePipeline(services, name, settings);
        IWorkerTransport transport = settings.TransportFactory?.Invoke(services)
            ?? throw new InvalidOperationException($"Pool '{name}' has no transport.");

        var pool = new WorkerPool(
            transport,
            registry,
            options,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            services.GetService<IMeterFactory>(),
            services);
        return new ResilientWorkerPool(pool, pipeline, abortOnDispose: true);
    }

    /// <summary>Builds a pipeline configured inline, with the container's <see cref="TimeProvider"/>.</summary>
    public static ResiliencePipeline BuildPipeline(IServiceProvider services, string name, Action<ResiliencePipelineBuilder> configure)
    {
        var builder = new ResiliencePipelineBuilder
        {
            Name = $"awsm-scheduler-{name}",
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
        configure(builder);
        return builder.Build();
    }

    private static ResiliencePipeline? ResolvePipeline(IServiceProvider services, string name, SchedulerPoolSettings settings)
    {
        if (settings.PipelineFactory is { } factory)
        {
            return factory(services);
        }

        if (settings.PipelineKey is not { } key)
        {
            return null;
        }

        return SchedulerPoolSettingsValidator.TryResolvePipeline(services, key, out ResiliencePipeline? pipeline, out string? error)
            ? pipeline
            : throw new InvalidOperationException($"Pool '{name}': {error}");
    }
}
