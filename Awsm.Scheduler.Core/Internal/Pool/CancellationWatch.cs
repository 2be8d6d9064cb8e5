using System.Collections.Concurrent;
using Awsm.Scheduler.Telemetry;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Jobs that ended on the host side (caller cancel, timeout, abort) while a worker may still run them: the worker is
/// told to cancel, and with a grace period configured it is watched; a worker still running the job when the period
/// ends is terminated and replaced. A reply for the job (late result or cancellation acknowledgement) or the worker's
/// crash ends the watch.
/// </summary>
internal sealed class CancellationWatch
{
    private readonly ConcurrentDictionary<long, Watched> _watched = new();
    private readonly string _poolName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan? _gracePeriod;
    private readonly PoolLifecycle _lifecycle;
    private readonly Func<int, JobId, bool> _sendCancel;
    private readonly Action<int, string> _terminateAndReplace;

    // sendCancel: Sends a cancel envelope for a job to its worker (the dispatcher's send lock keeps it behind the job); false when the worker is gone.
    // terminateAndReplace: The supervisor's terminate-and-replace, for a worker that ignores a cancel past the grace period.
    public CancellationWatch(string poolName, TimeProvider time, ILogger logger, TimeSpan? gracePeriod, PoolLifecycle lifecycle, Func<int, JobId, bool> sendCancel, Action<int, string> terminateAndReplace)
    {
        _poolName = poolName;
        _time = time;
        _logger = logger;
        _gracePeriod = gracePeriod;
        _lifecycle = lifecycle;
        _sendCancel = sendCancel;
        _terminateAndReplace = terminateAndReplace;
    }

    /// <summary>Gets the number of canceled jobs whose worker is watched.</summary>
    public int Count => _watched.Count;

    /// <summary>Tells the worker holding a job that ended on the host side to stop it, and watches the grace period.</summary>
    public void CancelOnWorker(int worker, JobId id)
    {
        if (!_sendCancel(worker, id))
        {
            // The worker is gone or going; its crash is handled when the transport reports it.
            return;
        }

        if (_gracePeriod is not { } grace || _lifecycle.IsStopping)
        {
            return;
        }

        var watched = new Watched(worker);
        if (_watched.TryAdd(id.Value, watched))
        {
            watched.Arm(_time.CreateTimer(static state => ((Watch)state!).Expire(), new Watch(this, id), grace, Timeout.InfiniteTimeSpan));
        }
    }

    /// <summary>The worker answered for the job (late result or cancellation acknowledgement): stop watching it.</summary>
    public void Forget(long jobId)
    {
        if (_watched.TryRemove(jobId, out Watched? watched))
        {
            watched.Dispose();
        }
    }

    /// <summary>The worker is gone: stop watching every job it held.</summary>
    public void ForgetWorker(int worker)
    {
        foreach (KeyValuePair<long, Watched> entry in _watched)
        {
            if (entry.Value.Worker == worker && _watched.TryRemove(entry.Key, out Watched? watched))
            {
                watched.Dispose();
            }
        }
    }

    /// <summary>Stops every watch (the pool stopped).</summary>
    public void Clear()
    {
        foreach (KeyValuePair<long, Watched> entry in _watched)
        {
            if (_watched.TryRemove(entry.Key, out Watched? watched))
            {
                watched.Dispose();
            }
        }
    }

    private void OnGraceExpired(JobId id)
    {
        if (!_watched.TryRemove(id.Value, out Watched? watched))
        {
            return;
        }

        watched.Dispose();
        double grace = _gracePeriod.GetValueOrDefault().TotalMilliseconds;
        Log.WorkerIgnoredCancellation(_logger, _poolName, watched.Worker, id.Value, grace);
        _terminateAndReplace(watched.Worker, $"it kept running canceled job {id} past the grace period of {grace:0} ms");
    }

    /// <summary>
    /// One watched job. Its timer is created after the entry is published, so a reply can forget the entry first: both
    /// sides exchange with full fences, and whichever comes second disposes the timer.
    /// </summary>
    private sealed class Watched(int worker) : IDisposable
    {
        private static readonly ITimer Disposed = new DisposedTimer();
        private ITimer? _timer;

        public int Worker { get; } = worker;

        public void Arm(ITimer timer)
        {
            if (Interlocked.CompareExchange(ref _timer, timer, null) is not null)
            {
                timer.Dispose();
            }
        }

        public void Dispose() => Interlocked.Exchange(ref _timer, Disposed)?.Dispose();

        private sealed class DisposedTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed record Watch(CancellationWatch Owner, JobId Id)
    {
        public void Expire() => Owner.OnGraceExpired(Id);
    }
}
