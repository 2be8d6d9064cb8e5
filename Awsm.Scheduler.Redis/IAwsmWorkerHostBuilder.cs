using Microsoft.Extensions.DependencyInjection;

namespace Awsm.Scheduler.Redis;

/// <summary>Configures a worker host added by <c>AddAwsmSchedulerWorkerHost</c>: which pools it serves, with which jobs.</summary>
public interface IAwsmWorkerHostBuilder
{
    /// <summary>Gets the application's services.</summary>
    IServiceCollection Services { get; }
}
