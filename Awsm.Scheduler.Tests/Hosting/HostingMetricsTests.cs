using System.Diagnostics.Metrics;
using Awsm.Scheduler.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>The pool's instruments come from the container's <see cref="IMeterFactory"/>, tagged by pool and job.</summary>
public sealed class HostingMetricsTests
{
    private const string PoolName = "billing";

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Counters_JobsCompleteAndFail_CountedPerPoolAndJob()
    {
        using IHost host = Build();
        IMeterFactory meters = host.Services.GetRequiredService<IMeterFactory>();
        using var dispatched = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsDispatched);
        using var completed = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsCompleted);
        using var failed = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsFailed);
        await host.StartAsync();
        IWorkerPool pool = Pool(host);

        await pool.DispatchAsync<WorkerIndexJob, int, int>(0);
        await pool.DispatchAsync<WorkerIndexJob, int, int>(0);
        await Assert.ThrowsAsync<JobFailedException>(async () => await pool.DispatchAsync<FailingJob, string, int>("no"));

        Assert.Equal(3, dispatched.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(dispatched.GetMeasurementSnapshot(), m => Assert.Equal(PoolName, m.Tags[SchedulerTelemetry.PoolTag]));
        Assert.Equal(2, completed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(completed.GetMeasurementSnapshot(), m => Assert.Equal(WorkerIndexJob.Name, m.Tags[SchedulerTelemetry.JobTag]));
        CollectedMeasurement<long> failure = Assert.Single(failed.GetMeasurementSnapshot());
        Assert.Equal(FailingJob.Name, failure.Tags[SchedulerTelemetry.JobTag]);
        Assert.Equal(PoolName, failure.Tags[SchedulerTelemetry.PoolTag]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Counters_JobTimesOutAndJobIsCanceled_CountedSeparately()
    {
        using IHost host = Build(o => o.JobTimeout = TimeSpan.FromSeconds(1));
        IMeterFactory meters = host.Services.GetRequiredService<IMeterFactory>();
        using var timedOut = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsTimedOut);
        using var canceled = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsCanceled);
        await host.StartAsync();
        IWorkerPool pool = Pool(host);
        HostingGate slow = HostingGate.Create();
        Task<int> slowJob = pool.DispatchAsync<GatedJob, string, int>(slow.Key).AsTask();
        await slow.Started.Task.Within();
        _time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<JobTimeoutException>(() => slowJob.Within());
        HostingGate abandoned = HostingGate.Create();
        using var cts = new CancellationTokenSource();
        Task<int> abandonedJob = pool.DispatchAsync<GatedJob, string, int>(abandoned.Key, cts.Token).AsTask();
        await abandoned.Started.Task.Within();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandonedJob.Within());

        Assert.Equal(GatedJob.Name, Assert.Single(timedOut.GetMeasurementSnapshot()).Tags[SchedulerTelemetry.JobTag]);
        Assert.Equal(GatedJob.Name, Assert.Single(canceled.GetMeasurementSnapshot()).Tags[SchedulerTelemetry.JobTag]);
        await host.StopAsync();
    }

    [Fact]
    public async Task RoundTrip_JobRunsForFakeTime_RecordsThatTimeInMilliseconds()
    {
        using IHost host = Build();
        IMeterFactory meters = host.Services.GetRequiredService<IMeterFactory>();
        using var roundTrip = new MetricCollector<double>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.RoundTrip);
        using var queueWait = new MetricCollector<double>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.QueueWait);
        await host.StartAsync();
        HostingGate gate = HostingGate.Create();
        Task<int> job = Pool(host).DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();

        _time.Advance(TimeSpan.FromMilliseconds(250));
        gate.Release.SetResult();
        await job.Within();

        CollectedMeasurement<double> measured = Assert.Single(roundTrip.GetMeasurementSnapshot());
        Assert.Equal(250, measured.Value);
        Assert.Equal(PoolName, measured.Tags[SchedulerTelemetry.PoolTag]);
        Assert.Equal(GatedJob.Name, measured.Tags[SchedulerTelemetry.JobTag]);
        Assert.Equal(0, Assert.Single(queueWait.GetMeasurementSnapshot()).Value);
        Assert.Equal("ms", roundTrip.Instrument?.Unit);
        await host.StopAsync();
    }

    [Fact]
    public async Task Gauges_OneJobRunning_ReportLiveWorkersInFlightAndQueueDepth()
    {
        using IHost host = Build(o =>
        {
            o.WorkerCount = 2;
            o.MaxInFlightPerWorker = 1;
        });
        IMeterFactory meters = host.Services.GetRequiredService<IMeterFactory>();
        using var live = new MetricCollector<int>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.LiveWorkers);
        using var inFlight = new MetricCollector<int>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.InFlight);
        using var depth = new MetricCollector<int>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.QueueDepth);
        await host.StartAsync();
        HostingGate gate = HostingGate.Create();
        Task<int> job = Pool(host).DispatchAsync<GatedJob, string, int>(gate.Key).AsTask();
        await gate.Started.Task.Within();

        live.RecordObservableInstruments();
        inFlight.RecordObservableInstruments();
        depth.RecordObservableInstruments();

        Assert.Equal(2, live.LastMeasurement?.Value);
        Assert.Equal(PoolName, live.LastMeasurement?.Tags[SchedulerTelemetry.PoolTag]);
        Assert.Equal(1, inFlight.LastMeasurement?.Value);
        Assert.Equal(0, depth.LastMeasurement?.Value);
        gate.Release.SetResult();
        await job.Within();
        await host.StopAsync();
    }

    private static IWorkerPool Pool(IHost host) => host.Services.GetRequiredKeyedService<IWorkerPool>(PoolName);

    private IHost Build(Action<WorkerPoolOptions>? configure = null) =>
        HostingTestHost.Build(_time, services => services.AddTestPool(PoolName).Configure(configure ?? (_ => { })));
}
