using System.Diagnostics;
using System.Diagnostics.Metrics;
using Awsm.Scheduler.Telemetry;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The pool's counters, histograms and spans. Each job's outcome is recorded here exactly once, by the collaborator
/// that ended it, after the caller's final result is known (an output that fails to decode is a failure, not a
/// completion): <see cref="WorkerPool.GetStats"/>, the meter and the spans therefore always agree.
/// </summary>
internal sealed class PoolTelemetry : IDisposable
{
    private readonly string _poolName;
    private readonly TimeProvider _time;
    private readonly SchedulerMetrics _metrics;
    // Striped by processor: the per-job counts and round-trip samples do not bounce one cache line between the
    // dispatching and the replying cores (the stats sum the stripes).
    private readonly StripedCounters _counters = new();

    /// <summary>
    /// One job in this many is timed for the pool's own round-trip percentiles when no listener asks for every
    /// job's timings: a clock read costs about as much as the rest of a job's bookkeeping together.
    /// </summary>
    public const int SampleEvery = 16;

    [ThreadStatic]
    private static uint t_untimed;

    public PoolTelemetry(string poolName, TimeProvider time, IMeterFactory? meterFactory, Func<int> queueDepth, Func<int> inFlight, Func<int> liveWorkers, int workerCount)
    {
        _poolName = poolName;
        _time = time;
        _metrics = new SchedulerMetrics(poolName, meterFactory, queueDepth, inFlight, liveWorkers, workerCount);
    }

    public long Dispatched => _counters.Sum(StripedCounters.Dispatched);

    public long Completed => _counters.Sum(StripedCounters.Completed);

    public long Failed => _counters.Sum(StripedCounters.Failed);

    public long Canceled => _counters.Sum(StripedCounters.Canceled);

    public long TimedOut => _counters.Sum(StripedCounters.TimedOut);

    public long Refused => _counters.Sum(StripedCounters.Refused);

    /// <summary>Counts an accepted job and opens its span; the span's context travels in the job envelope.</summary>
    public void Accepted(PendingJob job)
    {
        _counters.Increment(StripedCounters.Dispatched);
        _metrics.Dispatched(job.JobName);

        Activity? caller = Activity.Current;
        Activity? activity = SchedulerTelemetry.ActivitySource.StartActivity("awsm.dispatch", ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag(SchedulerTelemetry.PoolTag, _poolName);
            activity.SetTag(SchedulerTelemetry.JobTag, job.JobName);
            job.Activity = activity;

            // The span belongs to the job, not to the caller's flow: restore the caller's current activity.
            Activity.Current = caller;
        }

        Activity? context = activity ?? caller;
        if (context is not null && context.IdFormat == ActivityIdFormat.W3C)
        {
            job.TraceParent = context.Id;
            job.TraceState = context.TraceStateString;
        }
    }

    /// <summary>
    /// The acceptance time to stamp a new job with, or 0 for a job that is not timed: every job while a meter
    /// listener takes the timing histograms, else one in <see cref="SampleEvery"/> per dispatching thread (the first
    /// one included).
    /// </summary>
    public long AcceptedTimestamp() =>
        (t_untimed++ % SampleEvery) == 0 || _metrics.TimesJobs ? _time.GetTimestamp() : 0;

    /// <summary>
    /// Records how long the job waited before it was sent (<paramref name="acceptedTimestamp"/>: read before the send
    /// overwrote it), and tags its span with the id it is sent under.
    /// </summary>
    public void Sent(PendingJob job, string jobName, long acceptedTimestamp, long sentTimestamp)
    {
        if (acceptedTimestamp != 0)
        {
            _metrics.QueueWait(jobName, _time.GetElapsedTime(acceptedTimestamp, sentTimestamp));
        }

        job.Activity?.SetTag("awsm.job.id", job.Id.ToString());
    }

    /// <summary>Records a job's end: once per job, with the outcome the caller is about to see.</summary>
    public void Ended(PendingJob job, JobOutcome outcome, bool wasSent)
    {
        if (wasSent && job.Timestamp != 0)
        {
            TimeSpan roundTrip = _time.GetElapsedTime(job.Timestamp);
            _counters.RecordSample(roundTrip);
            _metrics.RoundTrip(job.JobName, roundTrip);
        }

        switch (outcome)
        {
            case JobOutcome.Completed:
                _counters.Increment(StripedCounters.Completed);
                _metrics.Completed(job.JobName);
                break;
            case JobOutcome.Canceled:
                _counters.Increment(StripedCounters.Canceled);
                _metrics.Canceled(job.JobName);
                break;
            case JobOutcome.TimedOut:
                _counters.Increment(StripedCounters.TimedOut);
                _metrics.TimedOut(job.JobName);
                break;
            default:
                _counters.Increment(StripedCounters.Failed);
                _metrics.Failed(job.JobName);
                break;
        }

        if (job.Activity is { } activity)
        {
            activity.SetTag("awsm.job.outcome", outcome.ToString());
            if (outcome != JobOutcome.Completed)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.ToString());
            }

            activity.Stop();
        }
    }

    public void JobRefused(string jobName)
    {
        _counters.Increment(StripedCounters.Refused);
        _metrics.Refused(jobName);
    }

    public void InputQuarantined(string jobName) => _metrics.Quarantined(jobName);

    public void WorkerFailed(int worker) => _metrics.WorkerFailed(worker);

    public void WorkerEvicted(int worker) => _metrics.WorkerEvicted(worker);

    public (TimeSpan P50, TimeSpan P99) RoundTripPercentiles()
    {
        TimeSpan[] percentiles = _counters.Percentiles(50, 99);
        return (percentiles[0], percentiles[1]);
    }

    public void Dispose() => _metrics.Dispose();
}
