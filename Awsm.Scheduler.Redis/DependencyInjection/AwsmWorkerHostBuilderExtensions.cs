using Awsm.Scheduler;
using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Redis.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Names the pools a worker host serves.</summary>
public static class AwsmWorkerHostBuilderExtensions
{
    /// <summary>
    /// Serves worker slots of the pool named <paramref name="poolName"/> (the dispatchers' pool name), with the jobs
    /// <paramref name="registerJobs"/> adds: call the same registration code the dispatching side uses. The host claims
    /// slots only from dispatchers whose every job is registered here.
    /// </summary>
    /// <param name="builder">The worker host's builder.</param>
    /// <param name="poolName">The pool's name.</param>
    /// <param name="registerJobs">Adds the pool's jobs to the host's registry.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmWorkerHostBuilder ServePool(this IAwsmWorkerHostBuilder builder, string poolName, Action<JobRegistry> registerJobs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(poolName);
        ArgumentNullException.ThrowIfNull(registerJobs);
        if (poolName.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("A pool name served over Redis cannot contain braces (it is the keys' hash tag).", nameof(poolName));
        }

        builder.Services.AddSingleton(new WorkerHostPoolRegistration(poolName, registerJobs));
        return builder;
    }
}
