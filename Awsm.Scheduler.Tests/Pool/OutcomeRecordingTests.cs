using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>Each job's outcome is recorded once, after the caller's result is known: stats, metrics and spans agree.</summary>
public sealed class OutcomeRecordingTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DispatchAsync_OutputFailsToDecode_CountedAsFailedInStatsMetricsAndSpan()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var completed = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsCompleted);
        using var failed = new MetricCollector<long>(meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsFailed);
        var outcomes = new List<string?>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SchedulerTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "awsm.dispatch" && activity.GetTagItem(SchedulerTelemetry.PoolTag) as string == "decode")
                {
                    lock (outcomes)
                    {
                        outcomes.Add(activity.GetTagItem("awsm.job.outcome") as string);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        // The worker answers with bytes that are not the JSON of an int.
        var transport = new ScriptedTransport(encodes: true)
        {
            AnswerJobs = (worker, message) => WorkerEvent.Result(worker, message.JobId, JobPayload.FromBytes(Encoding.UTF8.GetBytes("{not json"))),
        };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { Name = "decode", WorkerCount = 1 }, new FakeTimeProvider(), meterFactory: meters);

        var error = await Assert.ThrowsAsync<JobSerializationException>(() => pool.DispatchAsync<AddOneJob, int, int>(1).AsTask().WaitAsync(Hang));

        Assert.Equal(SerializationDirection.Output, error.Direction);
        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal((0, 1), (stats.Completed, stats.Failed));
        Assert.Empty(completed.GetMeasurementSnapshot());
        Assert.Equal(1, failed.GetMeasurementSnapshot().EvaluateAsCounter());
        lock (outcomes)
        {
            Assert.Equal(["Failed"], outcomes);
        }
    }
}
