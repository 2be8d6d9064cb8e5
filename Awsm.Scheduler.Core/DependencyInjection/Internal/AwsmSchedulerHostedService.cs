using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>
/// Starts every registered pool with the host (the host's start fails if a worker cannot start), and drains them when
/// the host stops; the host's stop token, which fires when its shutdown timeout elapses, turns the drain into an abort.
/// </summary>
internal sealed class AwsmSchedulerHostedService(IServiceProvider services, SchedulerPoolNames pools) : IHostedService
{
    private IWorkerPool[] _started = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IWorkerPool[] all = [.. pools.Names.Select(name => services.GetRequiredKeyedService<IWorkerPool>(name))];
        _started = all;
        await Task.WhenAll(all.Select(p => p.StartAsync(cancellationToken))).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_started.Select(p => p.StopAsync(PoolShutdownMode.Drain, cancellationToken)));
}
