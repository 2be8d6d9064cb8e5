using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>The pool's [LoggerMessage] events, with their stable ids, reach the host's logging through DI.</summary>
public sealed class HostingLoggingTests
{
    private const string Category = "Awsm.Scheduler.WorkerPool";

    private const int WorkerReady = 2;
    private const int WorkerCrashed = 4;
    private const int WorkerRespawning = 5;
    private const int WorkerEvicted = 6;
    private const int WorkerRespawned = 9;
    private const int JobFailed = 10;
    private const int JobTimedOut = 11;
    private const int JobCanceled = 12;
    private const int QueueFull = 13;
    private const int MalformedEnvelope = 20;

    private readonly FakeTimeProvider _time = new();
    private readonly LogSignal _signal = new();

    [Fact]
    public async Task Start_EveryWorkerReady_LogsWorkerReadyPerWorker()
    {
        using IHost host = Build(p => p.Configure(o => o.WorkerCount = 2));

        await host.StartAsync();

        FakeLogRecord[] ready = Records(host, WorkerReady);
        Assert.Equal(2, ready.Length);
        Assert.All(ready, r => Assert.Equal(LogLevel.Information, r.Level));
        Assert.All(ready, r => Assert.Equal("WorkerReady", r.Id.Name));
        Assert.Equal(["0", "1"], ready.Select(r => r.GetStructuredStateValue("Worker")).Order());
        Assert.All(ready, r => Assert.Equal("logs", r.GetStructuredStateValue("Pool")));
        await host.StopAsync();
    }

    [Fact]
    public async Task Crash_WorkerDiesAndComesBack_LogsCrashedRespawningRespawned()
    {
        using IHost host = Build(p => p.Configure(o => o.RespawnInitialDelay = TimeSpan.FromMilliseconds(100)));
        await host.StartAsync();

        host.Services.GetFaultInjectingTransport("logs").Crash(1, "out of memory");
        await _signal.WaitFor(WorkerCrashed);
        await _signal.WaitFor(WorkerRespawning);

        FakeLogRecord crashed = Assert.Single(Records(host, WorkerCrashed));
        Assert.Equal(LogLevel.Error, crashed.Level);
        Assert.Equal("1", crashed.GetStructuredStateValue("Worker"));
        Assert.Contains("out of memory", crashed.Message, StringComparison.Ordinal);
        FakeLogRecord respawning = Assert.Single(Records(host, WorkerRespawning));
        Assert.Equal("100", respawning.GetStructuredStateValue("DelayMs"));
        Assert.Empty(Records(host, WorkerRespawned));

        // The respawn backoff runs on the pool's TimeProvider: only the fake clock brings the worker back.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await _signal.WaitFor(WorkerRespawned);

        FakeLogRecord respawned = Assert.Single(Records(host, WorkerRespawned));
        Assert.Equal("1", respawned.GetStructuredStateValue("Worker"));
        Assert.Equal(3, Records(host, WorkerReady).Length);
        await host.StopAsync();
    }

    [Fact]
    public async Task Crash_NoRespawnAttemptsLeft_LogsEvicted()
    {
        using IHost host = Build(p => p.Configure(o => o.MaxRespawnAttempts = 0));
        await host.StartAsync();

        host.Services.GetFaultInjectingTransport("logs").Crash(0);
        await _signal.WaitFor(WorkerEvicted);

        FakeLogRecord evicted = Assert.Single(Records(host, WorkerEvicted));
        Assert.Equal(LogLevel.Critical, evicted.Level);
        Assert.Equal("0", evicted.GetStructuredStateValue("Worker"));
        Assert.Equal("1", evicted.GetStructuredStateValue("Live"));
        Assert.Empty(Records(host, WorkerRespawning));
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_JobThrows_LogsJobFailedWithRemoteType()
    {
        using IHost host = Build();
        await host.StartAsync();

        await Assert.ThrowsAsync<JobFailedException>(async () => await Pool(host).DispatchAsync<FailingJob, string, int>("disk full"));

        FakeLogRecord failed = Assert.Single(Records(host, JobFailed));
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal(FailingJob.Name, failed.GetStructuredStateValue("Job"));
        Assert.Equal(typeof(InvalidOperationException).FullName, failed.GetStructuredStateValue("ErrorType"));
        Assert.Equal("disk full", failed.GetStructuredStateValue("Message"));
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_JobTimeoutElapses_LogsJobTimedOut()
    {
        using IHost host = Build(p => p.Configure(o => o.JobTimeout = TimeSpan.FromSeconds(2)));
        await host.StartAsync();
        HostingGate gate = HostingGate.Create();
        Task<int> job = Pool(host).DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();

        _time.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<JobTimeoutException>(() => job.Within());
        FakeLogRecord timedOut = Assert.Single(Records(host, JobTimedOut));
        Assert.Equal(LogLevel.Warning, timedOut.Level);
        Assert.Equal("2000", timedOut.GetStructuredStateValue("TimeoutMs"));
        Assert.Equal(GatedJob.Name, timedOut.GetStructuredStateValue("Job"));
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_CallerCancels_LogsJobCanceled()
    {
        using IHost host = Build();
        await host.StartAsync();
        HostingGate gate = HostingGate.Create();
        using var cts = new CancellationTokenSource();
        Task<int> job = Pool(host).DispatchAsync<GatedJob, string, int>(gate.Key, cts.Token).AsTask();
        await gate.Started.Task.Within();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.Within());
        FakeLogRecord canceled = Assert.Single(Records(host, JobCanceled));
        Assert.Equal(LogLevel.Debug, canceled.Level);
        Assert.Equal(GatedJob.Name, canceled.GetStructuredStateValue("Job"));
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_QueueFullInRejectMode_LogsQueueFull()
    {
        using IHost host = Build(p => p.Configure(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
            o.QueueCapacity = 1;
            o.QueueFullMode = QueueFullMode.Reject;
        }));
        await host.StartAsync();
        IWorkerPool pool = Pool(host);
        HostingGate gate = HostingGate.Create();
        Task<int> running = pool.DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();
        Task<int> queued = pool.DispatchAsync<WorkerIndexJob, int, int>(0).AsTask();

        await Assert.ThrowsAsync<QueueFullException>(async () => await pool.DispatchAsync<WorkerIndexJob, int, int>(0));

        FakeLogRecord full = Assert.Single(Records(host, QueueFull));
        Assert.Equal(LogLevel.Warning, full.Level);
        Assert.Equal("1", full.GetStructuredStateValue("Capacity"));
        gate.Release.SetResult();
        Assert.Equal(0, await running.Within());
        Assert.Equal(0, await queued.Within());
        await host.StopAsync();
    }

    [Fact]
    public async Task Router_MalformedEnvelope_LogsAndDropsIt()
    {
        using IHost host = Build();
        await host.StartAsync();

        host.Services.GetFaultInjectingTransport("logs").InjectEnvelope(0, "no-such-kind", "1");
        await _signal.WaitFor(MalformedEnvelope);

        FakeLogRecord malformed = Assert.Single(Records(host, MalformedEnvelope));
        Assert.Equal(LogLevel.Warning, malformed.Level);
        Assert.Equal("0", malformed.GetStructuredStateValue("Worker"));
        Assert.InRange(await Pool(host).DispatchAsync<WorkerIndexJob, int, int>(0), 0, 1);
        await host.StopAsync();
    }

    private static IWorkerPool Pool(IHost host) => host.Services.GetRequiredKeyedService<IWorkerPool>("logs");

    private static FakeLogRecord[] Records(IHost host, int eventId) =>
        [.. host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == Category && r.Id.Id == eventId)];

    private IHost Build(Action<IAwsmSchedulerBuilder>? configure = null) => HostingTestHost.Build(_time, services =>
    {
        services.AddLogging(logging => logging.AddProvider(_signal));
        IAwsmSchedulerBuilder pool = services.AddTestPool("logs");
        configure?.Invoke(pool);
    });
}
