using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Awsm.Scheduler.Telemetry;

/// <summary>The names of the scheduler's meter, activity source, instruments and tags.</summary>
public static class SchedulerTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Awsm.Scheduler";

    /// <summary>Tag: the pool's name.</summary>
    public const string PoolTag = "awsm.pool";

    /// <summary>Tag: the job's name.</summary>
    public const string JobTag = "awsm.job.name";

    /// <summary>Tag: the worker's index.</summary>
    public const string WorkerTag = "awsm.worker";

    /// <summary>Counter of dispatched jobs.</summary>
    public const string JobsDispatched = "awsm.scheduler.jobs.dispatched";

    /// <summary>Counter of jobs completed with a result.</summary>
    public const string JobsCompleted = "awsm.scheduler.jobs.completed";

    /// <summary>Counter of jobs that failed (job error, crash, serialization, transport, abort).</summary>
    public const string JobsFailed = "awsm.scheduler.jobs.failed";

    /// <summary>Counter of jobs canceled by their caller.</summary>
    public const string JobsCanceled = "awsm.scheduler.jobs.canceled";

    /// <summary>Counter of jobs that timed out.</summary>
    public const string JobsTimedOut = "awsm.scheduler.jobs.timed_out";

    /// <summary>Counter of job inputs put in quarantine as poison (they crashed their worker too many times in a row).</summary>
    public const string JobsQuarantined = "awsm.scheduler.jobs.quarantined";

    /// <summary>Counter of dispatches refused or failed because their input is quarantined.</summary>
    public const string JobsRefused = "awsm.scheduler.jobs.refused";

    /// <summary>Counter of worker failures: crashes, failed starts and terminations.</summary>
    public const string WorkerFailures = "awsm.scheduler.workers.failures";

    /// <summary>Counter of worker slots given up after too many consecutive failures.</summary>
    public const string WorkersEvicted = "awsm.scheduler.workers.evicted";

    /// <summary>Gauge: 1 while the pool has fewer live workers than slots (crashes, respawns, evictions), else 0.</summary>
    public const string Degraded = "awsm.scheduler.pool.degraded";

    /// <summary>Histogram of the time from dispatch to send, in milliseconds.</summary>
    public const string QueueWait = "awsm.scheduler.job.queue_wait";

    /// <summary>Histogram of the time from send to completion, in milliseconds.</summary>
    public const string RoundTrip = "awsm.scheduler.job.round_trip";

    /// <summary>Gauge of jobs waiting in the dispatch queue.</summary>
    public const string QueueDepth = "awsm.scheduler.queue.depth";

    /// <summary>Gauge of jobs held by workers.</summary>
    public const string InFlight = "awsm.scheduler.jobs.in_flight";

    /// <summary>Gauge of workers that can run jobs.</summary>
    public const string LiveWorkers = "awsm.scheduler.workers.live";

    internal static readonly ActivitySource ActivitySource = new(Name);
}

/// <summary>The pool's instruments. One per pool, on a meter from the pool's <see cref="IMeterFactory"/>.</summary>
internal sealed class SchedulerMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _poolTag;
    private readonly Counter<long> _dispatched;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _canceled;
    private readonly Counter<long> _timedOut;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _workerFailures;
    private readonly Counter<long> _evicted;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _roundTrip;

    public SchedulerMetrics(string poolName, IMeterFactory? meterFactory, Func<int> queueDepth, Func<int> inFlight, Func<int> liveWorkers, int workerCount)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(SchedulerTelemetry.Name) ?? new Meter(SchedulerTelemetry.Name);
        _poolTag = new(SchedulerTelemetry.PoolTag, poolName);
        _dispatched = _meter.CreateCounter<long>(SchedulerTelemetry.JobsDispatched, "{job}", "Jobs accepted for dispatch.");
        _completed = _meter.CreateCounter<long>(SchedulerTelemetry.JobsCompleted, "{job}", "Jobs completed with a result.");
        _failed = _meter.CreateCounter<long>(SchedulerTelemetry.JobsFailed, "{job}", "Jobs that failed: job error, worker crash, serialization, transport or abort.");
        _canceled = _meter.CreateCounter<long>(SchedulerTelemetry.JobsCanceled, "{job}", "Jobs canceled by their caller.");
        _timedOut = _meter.CreateCounter<long>(SchedulerTelemetry.JobsTimedOut, "{job}", "Jobs that exceeded their timeout.");
        _quarantined = _meter.CreateCounter<long>(SchedulerTelemetry.JobsQuarantined, "{input}", "Job inputs put in quarantine after crashing their worker too many times in a row.");
        _refused = _meter.CreateCounter<long>(SchedulerTelemetry.JobsRefused, "{job}", "Dispatches refused or failed because their input is quarantined.");
        _workerFailures = _meter.CreateCounter<long>(SchedulerTelemetry.WorkerFailures, "{failure}", "Worker crashes, failed starts and terminations.");
        _evicted = _meter.CreateCounter<long>(SchedulerTelemetry.WorkersEvicted, "{worker}", "Worker slots given up after too many consecutive failures.");
        _queueWait = _meter.CreateHistogram<double>(SchedulerTelemetry.QueueWait, "ms", "Time from dispatch until the job was sent to a worker.");
        _roundTrip = _meter.CreateHistogram<double>(SchedulerTelemetry.RoundTrip, "ms", "Time from sending the job to a worker until it completed.");
        KeyValuePair<string, object?>[] tags = [_poolTag];
        _meter.CreateObservableGauge(SchedulerTelemetry.QueueDepth, () => new Measurement<int>(queueDepth(), tags), "{job}", "Jobs waiting in the dispatch queue.");
        _meter.CreateObservableGauge(SchedulerTelemetry.InFlight, () => new Measurement<int>(inFlight(), tags), "{job}", "Jobs held by workers.");
        _meter.CreateObservableGauge(SchedulerTelemetry.LiveWorkers, () => new Measurement<int>(liveWorkers(), tags), "{worker}", "Workers that can run jobs.");
        _meter.CreateObservableGauge(SchedulerTelemetry.Degraded, () => new Measurement<int>(liveWorkers() < workerCount ? 1 : 0, tags), "{pool}", "1 while the pool has fewer live workers than slots, else 0.");
    }

    public void Dispatched(string job) => CountJob(_dispatched, job);

    public void Completed(string job) => CountJob(_completed, job);

    public void Failed(string job) => CountJob(_failed, job);

    public void Canceled(string job) => CountJob(_canceled, job);

    public void TimedOut(string job) => CountJob(_timedOut, job);

    public void Quarantined(string job) => _quarantined.Add(1, _poolTag, new(SchedulerTelemetry.JobTag, job));

    public void Refused(string job) => _refused.Add(1, _poolTag, new(SchedulerTelemetry.JobTag, job));

    public void WorkerFailed(int worker) => _workerFailures.Add(1, _poolTag, new(SchedulerTelemetry.WorkerTag, worker));

    public void WorkerEvicted(int worker) => _evicted.Add(1, _poolTag, new(SchedulerTelemetry.WorkerTag, worker));

    /// <summary>Gets whether anyone listens to the job timings (then every job is timed, not a sample).</summary>
    public bool TimesJobs => _roundTrip.Enabled || _queueWait.Enabled;

    public void QueueWait(string job, TimeSpan wait)
    {
        if (_queueWait.Enabled)
        {
            _queueWait.Record(wait.TotalMilliseconds, _poolTag, new(SchedulerTelemetry.JobTag, job));
        }
    }

    public void RoundTrip(string job, TimeSpan roundTrip)
    {
        if (_roundTrip.Enabled)
        {
            _roundTrip.Record(roundTrip.TotalMilliseconds, _poolTag, new(SchedulerTelemetry.JobTag, job));
        }
    }

    // Per job: the listener check first, so that a pool nobody meters builds no tags.
    private void CountJob(Counter<long> counter, string job)
    {
        if (counter.Enabled)
        {
            counter.Add(1, _poolTag, new(SchedulerTelemetry.JobTag, job));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
