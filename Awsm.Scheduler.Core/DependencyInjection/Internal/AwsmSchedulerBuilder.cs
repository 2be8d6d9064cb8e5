using Microsoft.Extensions.DependencyInjection;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>The builder <c>AddAwsmScheduler</c> returns.</summary>
/// <param name="Name">The pool's name.</param>
/// <param name="Services">The service collection.</param>
internal sealed record AwsmSchedulerBuilder(string Name, IServiceCollection Services) : IAwsmSchedulerBuilder;
