using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Hosting;

public sealed class HostingRegistrationTests
{
    [Fact]
    public void AddAwsmScheduler_CalledTwice_AddsNothingTwice()
    {
        var services = new ServiceCollection();
        services.AddAwsmScheduler();
        ServiceDescriptor[] first = [.. services];

        services.AddAwsmScheduler();
        services.AddAwsmScheduler(WorkerPoolDefaults.Name);

        Assert.Equal(first, services);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IWorkerPool) && d.ServiceKey is null);
        Assert.Single(services, d => d.ServiceType == typeof(IWorkerPool) && Equals(d.ServiceKey, WorkerPoolDefaults.Name));
    }

    [Fact]
    public async Task AddAwsmScheduler_CalledTwiceForSamePool_BothBuildersConfigureOnePool()
    {
        var time = new FakeTimeProvider();
        using IHost host = HostingTestHost.Build(time, services =>
        {
            services.AddAwsmScheduler().AddJob<WorkerIndexJob, int, int>(HostingJsonContext.Default);
            services.AddAwsmScheduler().Configure(o => o.WorkerCount = 3).UseInProcTransport();
        });
        await host.StartAsync();

        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();

        Assert.Equal(3, pool.GetStats().WorkersAlive);
        Assert.InRange(await pool.DispatchAsync<WorkerIndexJob, int, int>(0), 0, 2);
        await host.StopAsync();
    }

    [Fact]
    public async Task GetService_DefaultPool_UnkeyedAndKeyedAreTheSamePool()
    {
        await using ServiceProvider services = new ServiceCollection().AddTestPoolServices();

        IWorkerPool unkeyed = services.GetRequiredService<IWorkerPool>();
        IWorkerPool keyed = services.GetRequiredKeyedService<IWorkerPool>(WorkerPoolDefaults.Name);

        Assert.Same(keyed, unkeyed);
        Assert.Equal(WorkerPoolDefaults.Name, unkeyed.Name);
    }

    [Fact]
    public async Task FromKeyedServices_TwoNamedPools_EachConsumerGetsItsOwnPool()
    {
        var time = new FakeTimeProvider();
        using IHost host = HostingTestHost.Build(time, services =>
        {
            services.AddTestPool("images", workers: 1);
            services.AddTestPool("reports", workers: 3);
            services.AddSingleton<TwoPoolConsumer>();
        });
        await host.StartAsync();

        TwoPoolConsumer consumer = host.Services.GetRequiredService<TwoPoolConsumer>();

        Assert.Equal("images", consumer.Images.Name);
        Assert.Equal("reports", consumer.Reports.Name);
        Assert.Equal(1, consumer.Images.GetStats().WorkersAlive);
        Assert.Equal(3, consumer.Reports.GetStats().WorkersAlive);
        Assert.Equal(0, await consumer.Images.DispatchAsync<WorkerIndexJob, int, int>(0));
        Assert.Null(host.Services.GetService<IWorkerPool>());
        await host.StopAsync();
    }

    [Fact]
    public void GetRequiredKeyedService_UnknownPool_ThrowsNamingTheRegisteredPools()
    {
        using ServiceProvider services = new ServiceCollection().AddTestPoolServices(p => p.AddTestPool("images"));

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredKeyedService<IWorkerPool>("imagez"));

        Assert.Contains("'imagez'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'images'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddAwsmScheduler(\"imagez\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_JobRegisteredInNoPool_ThrowsUnknownJobException()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool());
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();

        var error = await Assert.ThrowsAsync<UnknownJobException>(async () => await pool.DispatchAsync<UnregisteredJob, int, int>(1));

        Assert.Equal(UnregisteredJob.Name, error.JobName);
        Assert.Equal(0, pool.GetStats().Dispatched);
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_JobUsesContainerServices_ResolvesThemOnTheWorker()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            services.AddSingleton(new Greeter("Hello"));
            services.AddTestPool();
        });
        await host.StartAsync();

        string greeting = await host.Services.GetRequiredService<IWorkerPool>().DispatchAsync<GreetingJob, string, string>("worker");

        Assert.Equal("Hello, worker", greeting);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStart_RegisteredPools_AreStartedBeforeStartAsyncReturns()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool(workers: 2));

        await host.StartAsync();

        WorkerPoolStats stats = host.Services.GetRequiredService<IWorkerPool>().GetStats();
        Assert.Equal(2, stats.WorkersAlive);
        Assert.All(stats.Workers, w => Assert.Equal(WorkerState.Ready, w.State));
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStart_WorkerFailsToStart_HostStartFailsWithTheReason()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddAwsmScheduler()
            .Configure(o => o.WorkerCount = 2)
            .UseTransport(_ =>
            {
                var transport = new FaultInjectingTransport(new InProcTransport());
                transport.FailNextStarts(1, reason: "no GPU here");
                return transport;
            }));

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => host.StartAsync());

        Assert.Equal(1, error.WorkerIndex);
        Assert.Contains("no GPU here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStop_JobInFlight_DrainsItBeforeStopping()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool());
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        HostingGate gate = HostingGate.Create();
        Task<int> job = pool.DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();

        Task stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await pool.DispatchAsync<WorkerIndexJob, int, int>(0));
        gate.Release.SetResult();

        await stopping.Within();
        Assert.InRange(await job, 0, 1);
        Assert.Equal(0, pool.GetStats().Pending);
    }

    [Fact]
    public async Task HostStop_TokenFiresDuringDrain_AbortsTheJobsLeft()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool());
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        HostingGate gate = HostingGate.Create();
        Task<int> job = pool.DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();
        using var hurry = new CancellationTokenSource();

        Task stopping = host.StopAsync(hurry.Token);
        Assert.False(stopping.IsCompleted);
        await hurry.CancelAsync();

        await Assert.ThrowsAsync<SchedulerDisposedException>(() => job.Within());
        await gate.TokenFired.Task.Within();
        await stopping.Within();
    }

    [Fact]
    public async Task UseInProcTransport_AfterAnotherTransport_LastOneWins()
    {
        var replaced = new CountingTransportFactory();
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            // What the app registers...
            services.AddTestPool().UseTransport(replaced.Create);

            // ...and the one line a test adds.
            services.AddAwsmScheduler().UseInProcTransport();
        });
        await host.StartAsync();

        Assert.Equal(0, await host.Services.GetRequiredService<IWorkerPool>().DispatchAsync<WorkerIndexJob, int, int>(0));
        Assert.Equal(0, replaced.Created);
        await host.StopAsync();
    }

    [Fact]
    public async Task UseFaultInjectingTransport_AfterAnotherTransport_LastOneWinsAndItsControlsAreReachable()
    {
        var replaced = new CountingTransportFactory();
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            services.AddTestPool().UseTransport(replaced.Create);
            services.AddAwsmScheduler().UseFaultInjectingTransport(_ => new InProcTransport());
        });
        await host.StartAsync();

        FaultInjectingTransport faults = host.Services.GetFaultInjectingTransport();

        Assert.IsType<InProcTransport>(faults.Inner);
        Assert.Equal(0, replaced.Created);
        Assert.Equal(1, faults.StartCount(0));
        Assert.Equal(0, await host.Services.GetRequiredService<IWorkerPool>().DispatchAsync<WorkerIndexJob, int, int>(0));
        await host.StopAsync();
    }

    [Fact]
    public void GetFaultInjectingTransport_PoolOnAnotherTransport_ThrowsNamingBothTransports()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddAwsmScheduler("plain").UseInProcTransport());

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetFaultInjectingTransport("plain"));

        Assert.Equal("Pool 'plain' runs on InProcTransport, not on FaultInjectingTransport.", error.Message);
    }

    [Fact]
    public void GetWorkerTransport_NamedPool_ReturnsTheTransportItsFactoryCreatedForThatPool()
    {
        var created = new Dictionary<string, IWorkerTransport>();
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            foreach (string name in new[] { "a", "b" })
            {
                services.AddAwsmScheduler(name).UseTransport(_ => created[name] = new InProcTransport());
            }
        });

        InProcTransport b = host.Services.GetWorkerTransport<InProcTransport>("b");
        InProcTransport a = host.Services.GetWorkerTransport<InProcTransport>("a");

        Assert.Same(created["a"], a);
        Assert.Same(created["b"], b);
        Assert.Same(a, host.Services.GetWorkerTransport<IWorkerTransport>("a"));
    }

    [Fact]
    public async Task Dispose_ContainerDisposedSynchronously_StopsThePoolWithoutThrowing()
    {
        ServiceProvider services = new ServiceCollection().AddTestPoolServices();
        IWorkerPool pool = services.GetRequiredService<IWorkerPool>();
        await pool.StartAsync();

        services.Dispose();

        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await pool.DispatchAsync<WorkerIndexJob, int, int>(0));
        Assert.Equal(0, pool.GetStats().WorkersAlive);
    }

    [Fact]
    public async Task AddAwsmScheduler_PoolResolved_TakesTimeProviderAndServicesFromTheContainer()
    {
        var time = new FakeTimeProvider();
        ContextSpyTransport? spy = null;
        await using ServiceProvider services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddTestPoolServices(s => s.AddTestPool().UseTransport(_ => spy = new ContextSpyTransport(new InProcTransport())));

        IWorkerPool pool = services.GetRequiredService<IWorkerPool>();
        await pool.StartAsync();

        Assert.NotNull(spy?.Context);
        Assert.Same(time, spy.Context.TimeProvider);
        Assert.Same(time, spy.Context.Services?.GetService(typeof(TimeProvider)));
        Assert.Equal(2, spy.Context.WorkerCount);
    }

    [Fact]
    public async Task DisposeAsync_ContainerDisposedWithJobInFlight_AbortsInsteadOfWaitingOnTheClock()
    {
        ServiceProvider services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider()).AddTestPoolServices();
        IWorkerPool pool = services.GetRequiredService<IWorkerPool>();
        await pool.StartAsync();
        HostingGate gate = HostingGate.Create();
        Task<int> job = pool.DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();

        await services.DisposeAsync().AsTask().Within();

        await Assert.ThrowsAsync<SchedulerDisposedException>(() => job.Within());
        await gate.TokenFired.Task.Within();
    }

    public sealed class TwoPoolConsumer([FromKeyedServices("images")] IWorkerPool images, [FromKeyedServices("reports")] IWorkerPool reports)
    {
        public IWorkerPool Images { get; } = images;

        public IWorkerPool Reports { get; } = reports;
    }

    private sealed class CountingTransportFactory
    {
        public int Created { get; private set; }

        public IWorkerTransport Create(IServiceProvider services)
        {
            Created++;
            return new InProcTransport();
        }
    }

    /// <summary>Records the context the pool initializes its transport with.</summary>
    private sealed class ContextSpyTransport(IWorkerTransport inner) : DelegatingWorkerTransport(inner)
    {
        public WorkerTransportContext? Context { get; private set; }

        public override ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
        {
            Context = context;
            return base.InitializeAsync(context, cancellationToken);
        }
    }
}

internal static class HostingServiceCollectionTestExtensions
{
    /// <summary>Builds a bare container (no host) with the default test pool, or with what <paramref name="configure"/> adds.</summary>
    public static ServiceProvider AddTestPoolServices(this IServiceCollection services, Action<IServiceCollection>? configure = null)
    {
        if (configure is null)
        {
            services.AddTestPool();
        }
        else
        {
            configure(services);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
