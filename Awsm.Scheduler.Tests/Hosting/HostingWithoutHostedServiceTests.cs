using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>
/// Containers that run no hosted services (Blazor WebAssembly's <c>WebAssemblyHost</c>): the one registration line
/// is enough, the pool starts on its first dispatch, and <c>StartAwsmSchedulerAsync</c> starts it early on request.
/// </summary>
public sealed class HostingWithoutHostedServiceTests
{
    [Fact]
    public async Task DispatchAsync_ContainerWithoutHostedServices_PoolStartsOnFirstDispatch()
    {
        await using ServiceProvider services = Services();
        IWorkerPool pool = services.GetRequiredService<IWorkerPool>();
        Assert.Equal(0, pool.GetStats().WorkersAlive);

        int worker = await pool.DispatchAsync<WorkerIndexJob, int, int>(0).AsTask().Within();

        Assert.InRange(worker, 0, 1);
        Assert.Equal(2, pool.GetStats().WorkersAlive);
    }

    [Fact]
    public async Task StartAwsmSchedulerAsync_TwoPools_StartsEveryPoolBeforeAnyDispatch()
    {
        await using ServiceProvider services = Services(s => s.AddTestPool("reports", workers: 3));

        await services.StartAwsmSchedulerAsync().Within();

        Assert.Equal(2, services.GetRequiredService<IWorkerPool>().GetStats().WorkersAlive);
        Assert.Equal(3, services.GetRequiredKeyedService<IWorkerPool>("reports").GetStats().WorkersAlive);
    }

    [Fact]
    public void StartAwsmSchedulerAsync_NothingRegistered_SaysWhatToCall()
    {
        using ServiceProvider services = new ServiceCollection().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => { _ = services.StartAwsmSchedulerAsync(); });

        Assert.Contains("AddAwsmScheduler", error.Message);
    }

    private static ServiceProvider Services(Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider()).AddLogging().AddMetrics();
        services.AddTestPool();
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
