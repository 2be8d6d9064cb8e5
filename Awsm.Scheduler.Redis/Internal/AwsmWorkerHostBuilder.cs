using Microsoft.Extensions.DependencyInjection;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>The builder <c>AddAwsmSchedulerWorkerHost</c> returns.</summary>
/// <param name="Services">The application's services.</param>
internal sealed record AwsmWorkerHostBuilder(IServiceCollection Services) : IAwsmWorkerHostBuilder;
