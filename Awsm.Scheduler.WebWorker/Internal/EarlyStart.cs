using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// <see cref="WebWorkerTransportOptions.StartEarly"/> for a pool from DI: starts the pool once it has been created, without
/// waiting for its first dispatch.
/// </summary>
internal static class EarlyStart
{
    /// <summary>Starts the pool <paramref name="poolName"/> once the resolution that is creating it right now has returned.</summary>
    /// <param name="services">The provider the pool is being resolved from.</param>
    /// <param name="poolName">The pool's name.</param>
    public static void Schedule(IServiceProvider services, string poolName) => _ = StartAsync(services, poolName);

    private static async Task StartAsync(IServiceProvider services, string poolName)
    {
        // Called from the pool's transport factory, i.e. while the pool itself is being constructed: resolve it (the same
        // singleton) only after that construction has returned.
        await Task.Yield();
        ILogger logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Awsm.Scheduler.WebWorker");
        try
        {
            await services.GetRequiredKeyedService<IWorkerPool>(poolName).StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SchedulerException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Nobody awaits an early start: the failure is logged here, and the pool's dispatches report it to their callers.
            Log.EarlyStartFailed(logger, poolName, ex.Message);
        }
    }
}
