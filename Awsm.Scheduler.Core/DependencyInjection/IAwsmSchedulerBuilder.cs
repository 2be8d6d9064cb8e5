namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures one named worker pool registered by
/// <see cref="AwsmSchedulerServiceCollectionExtensions.AddAwsmScheduler(IServiceCollection, string)"/>: its jobs,
/// options, strategy, resilience and transport. Transports extend it with a <c>Use…Transport</c> extension method that
/// registers a factory through <see cref="AwsmSchedulerBuilderExtensions.UseTransport"/>.
/// </summary>
public interface IAwsmSchedulerBuilder
{
    /// <summary>Gets the pool's name: the options name, the service key of its <see cref="Awsm.Scheduler.IWorkerPool"/> and its <c>awsm.pool</c> tag.</summary>
    string Name { get; }

    /// <summary>Gets the service collection the pool is registered in.</summary>
    IServiceCollection Services { get; }
}
