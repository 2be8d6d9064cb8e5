using System.Collections.Concurrent;
using System.Diagnostics;
using Awsm.Scheduler.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>
/// A dispatch opens a span, and the trace context travels in the job envelope: spans created inside the job, with any
/// <see cref="ActivitySource"/>, belong to the caller's trace.
/// </summary>
public sealed class HostingTracingTests
{
    private static readonly ActivitySource Caller = new("Awsm.Scheduler.Tests.Hosting.Caller");

    [Fact]
    public async Task DispatchAsync_CallerActivity_JobSpanJoinsTheCallersTrace()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using ActivityListener listener = Listen(stopped, Caller.Name, SchedulerTelemetry.Name, TraceJob.SourceName);
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool("traced"));
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredKeyedService<IWorkerPool>("traced");

        string jobTraceId;
        ActivityTraceId callerTraceId;
        ActivitySpanId callerSpanId;
        using (Activity caller = Caller.StartActivity("http request")!)
        {
            callerTraceId = caller.TraceId;
            callerSpanId = caller.SpanId;
            jobTraceId = await pool.DispatchAsync<TraceJob, int, string>(0);
        }

        Assert.Equal(callerTraceId.ToHexString(), jobTraceId);
        Activity[] trace = [.. stopped.Where(a => a.TraceId == callerTraceId)];
        Activity dispatch = Assert.Single(trace, a => a.OperationName == "awsm.dispatch");
        Assert.Equal(callerSpanId, dispatch.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, dispatch.Kind);
        Assert.Equal("traced", dispatch.GetTagItem(SchedulerTelemetry.PoolTag));
        Assert.Equal(TraceJob.Name, dispatch.GetTagItem(SchedulerTelemetry.JobTag));
        Activity execute = Assert.Single(trace, a => a.OperationName == "awsm.job.execute");
        Assert.Equal(dispatch.SpanId, execute.ParentSpanId);
        Activity inside = Assert.Single(trace, a => a.OperationName == "inside-the-job");
        Assert.Equal(execute.SpanId, inside.ParentSpanId);
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_OnlyTheAppsSourcesListened_JobSpanStillJoinsTheCallersTrace()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using ActivityListener listener = Listen(stopped, Caller.Name, TraceJob.SourceName);
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool("traced"));
        await host.StartAsync();
        IWorkerPool pool = host.Services.GetRequiredKeyedService<IWorkerPool>("traced");

        using Activity caller = Caller.StartActivity("http request")!;
        string jobTraceId = await pool.DispatchAsync<TraceJob, int, string>(0);

        Assert.Equal(caller.TraceId.ToHexString(), jobTraceId);
        Assert.Single(stopped, a => a.TraceId == caller.TraceId && a.OperationName == "inside-the-job");
        await host.StopAsync();
    }

    [Fact]
    public async Task DispatchAsync_NoCallerActivity_JobSpanIsInTheDispatchSpansTrace()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using ActivityListener listener = Listen(stopped, SchedulerTelemetry.Name, TraceJob.SourceName);
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool("traced"));
        await host.StartAsync();
        Activity.Current = null;

        string jobTraceId = await host.Services.GetRequiredKeyedService<IWorkerPool>("traced").DispatchAsync<TraceJob, int, string>(0);

        Activity inside = Assert.Single(stopped, a => a.OperationName == "inside-the-job" && a.TraceId.ToHexString() == jobTraceId);
        Assert.Single(stopped, a => a.OperationName == "awsm.dispatch" && a.TraceId == inside.TraceId);
        await host.StopAsync();
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped, params string[] sources)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
