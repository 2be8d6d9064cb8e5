using System.Collections.Concurrent;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Hedging;
using Polly.Retry;
using Polly.Timeout;

namespace Awsm.Scheduler.Tests.Hosting;

public sealed class HostingResilienceTests
{
    [Fact]
    public async Task DispatchAsync_RetryAfterWorkerCrash_LandsOnAnotherWorker()
    {
        var retried = new ConcurrentQueue<Exception?>();
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool(workers: 2)
            .UseRoundRobin()
            .AddResilience(pipeline => pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = SchedulerFailures.TransientPredicate(),
                MaxRetryAttempts = 2,
                Delay = TimeSpan.Zero,
                OnRetry = args =>
                {
                    retried.Enqueue(args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })));
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        host.Services.GetFaultInjectingTransport().CrashOnNextJob(0);

        // Round-robin sends the first attempt to worker 0, which crashes; the retry finds worker 0 respawning.
        int worker = await pool.DispatchAsync<WorkerIndexJob, int, int>(0);

        Assert.Equal(1, worker);
        WorkerCrashedException crash = Assert.IsType<WorkerCrashedException>(Assert.Single(retried));
        Assert.Equal(0, crash.WorkerIndex);
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_WorkerCrashWithoutResilience_ThrowsWorkerCrashed()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool(workers: 2).UseRoundRobin());
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        host.Services.GetFaultInjectingTransport().CrashOnNextJob(0);

        var crash = await Assert.ThrowsAsync<WorkerCrashedException>(async () => await pool.DispatchAsync<WorkerIndexJob, int, int>(0));

        Assert.Equal(0, crash.WorkerIndex);
        Assert.True(SchedulerFailures.IsTransient(crash));
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_JobThrowsUnderTransientRetry_IsNotRetried()
    {
        int retries = 0;
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool()
            .AddResilience(pipeline => pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = SchedulerFailures.TransientPredicate(),
                Delay = TimeSpan.Zero,
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref retries);
                    return ValueTask.CompletedTask;
                },
            })));
        await host.StartAsync();

        var error = await Assert.ThrowsAsync<JobFailedException>(async () =>
            await host.Services.GetRequiredService<IWorkerPool>().DispatchAsync<FailingJob, string, int>("not transient"));

        Assert.Equal("not transient", error.RemoteMessage);
        Assert.Equal(0, retries);
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_PollyTimeoutElapses_CancelsTheJobOnItsWorker()
    {
        var time = new FakeTimeProvider();
        using IHost host = HostingTestHost.Build(time, services => services.AddTestPool()
            .AddResilience(pipeline => pipeline.AddTimeout(TimeSpan.FromSeconds(5))));
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        HostingGate gate = HostingGate.Create();
        Task<int> job = pool.DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();

        time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => job.Within());
        await gate.TokenFired.Task.Within();
        Assert.Equal(1, pool.GetStats().Canceled);
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_PollyTimeoutNotElapsed_ReturnsTheOutput()
    {
        var time = new FakeTimeProvider();
        using IHost host = HostingTestHost.Build(time, services => services.AddTestPool()
            .AddResilience(pipeline => pipeline.AddTimeout(TimeSpan.FromSeconds(5))));
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        HostingGate gate = HostingGate.Create();
        Task<int> job = pool.DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        int worker = await gate.Started.Task.Within();

        time.Advance(TimeSpan.FromSeconds(4));
        gate.Release.SetResult();

        Assert.Equal(worker, await job.Within());
        Assert.False(gate.TokenFired.Task.IsCompleted);
    }

    [Fact]
    public async Task DispatchAsync_HedgeAfterDelay_SecondWorkerWinsAndPrimaryIsCanceled()
    {
        var time = new FakeTimeProvider();
        using IHost host = HostingTestHost.Build(time, services => services.AddTestPool(workers: 2).UseRoundRobin());
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredService<IWorkerPool>();
        ResiliencePipeline<int> hedging = new ResiliencePipelineBuilder<int> { TimeProvider = time }
            .AddHedging(new HedgingStrategyOptions<int>
            {
                ShouldHandle = new PredicateBuilder<int>().HandleTransientSchedulerFailures(),
                Delay = TimeSpan.FromSeconds(1),
                MaxHedgedAttempts = 1,
            })
            .Build();
        HostingGate gate = HostingGate.Create(stallOn: 0);

        Task<int> job = pool.DispatchAsync(hedging, JobHandle.For<GatedJob, string, int>(), gate.Key).AsTask();
        Assert.Equal(0, await gate.Started.Task.Within());
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, await job.Within());
        Assert.Equal(0, await gate.TokenFired.Task.Within());
        await host.StopAsync();
    }

    [Fact]
    public async Task UseResiliencePipeline_KeyFromPollyExtensions_RetriesOnAnotherWorker()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            services.AddResiliencePipeline("scheduler-retry", pipeline => pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().HandleTransientSchedulerFailures(),
                MaxRetryAttempts = 1,
                Delay = TimeSpan.Zero,
            }));
            services.AddTestPool(workers: 2).UseRoundRobin().UseResiliencePipeline("scheduler-retry");
        });
        await host.StartAsync();
        host.Services.GetFaultInjectingTransport().CrashOnNextJob(0);

        int worker = await host.Services.GetRequiredService<IWorkerPool>().DispatchAsync<WorkerIndexJob, int, int>(0);

        Assert.Equal(1, worker);
        await host.StopAsync();
    }

    [Fact]
    public async Task WithResilience_PoolWithoutContainer_RetriesACrashOnAnotherWorker()
    {
        var transport = new FaultInjectingTransport(new InProcTransport());
        var registry = new JobRegistry().Add<WorkerIndexJob, int, int>(HostingJsonContext.Default);
        await using var pool = new WorkerPool(transport, registry, new WorkerPoolOptions { WorkerCount = 2 }, new FakeTimeProvider());
        IWorkerPool resilient = pool.WithResilience(new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { ShouldHandle = SchedulerFailures.TransientPredicate(), MaxRetryAttempts = 1, Delay = TimeSpan.Zero })
            .Build());
        await resilient.StartAsync();
        transport.CrashOnNextJob(0);

        Assert.Equal(1, await resilient.DispatchAsync<WorkerIndexJob, int, int>(0));
        Assert.Equal(pool.Name, resilient.Name);
        Assert.Equal(2, resilient.GetStats().Dispatched);
    }

    public static TheoryData<Exception?, bool> Failures => new()
    {
        { new WorkerCrashedException(0, "gone"), true },
        { new JobTimeoutException("job", TimeSpan.FromSeconds(1)), true },
        { new TransportException("lost"), true },
        { new TimeoutRejectedException(), true },
        { new JobFailedException("job", 0, "System.Exception", "boom", null), false },
        { new QueueFullException("job", 1), false },
        { new UnknownJobException("job", "nowhere"), false },
        { new SchedulerDisposedException("stopped"), false },
        { new OperationCanceledException(), false },
        { new InvalidOperationException(), false },
        { null, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void IsTransient_Failure_MatchesTheFailureModel(Exception? failure, bool transient)
    {
        Assert.Equal(transient, SchedulerFailures.IsTransient(failure));
    }
}
