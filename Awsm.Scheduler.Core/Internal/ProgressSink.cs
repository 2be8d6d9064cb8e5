using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal;

/// <summary>
/// The worker side of one running job's progress: encodes what the job reports and sends it, coalesced so that a
/// chatty job cannot flood the transport (the first report goes at once; later ones at most every interval, the
/// latest value winning, flushed by a timer), and never after the job ended.
/// </summary>
internal sealed class ProgressSink : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ProgressCodec _codec;
    private readonly JobId _jobId;
    private readonly int _workerIndex;
    private readonly bool _encode;
    private readonly Action<WorkerEvent> _reply;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private JobPayload _pending;
    private bool _hasPending;
    private long _lastSent;
    private bool _sentOnce;
    private ITimer? _flush;
    private bool _ended;

    public ProgressSink(ProgressCodec codec, JobId jobId, int workerIndex, bool encode, Action<WorkerEvent> reply, TimeProvider time, TimeSpan interval)
    {
        _codec = codec;
        _jobId = jobId;
        _workerIndex = workerIndex;
        _encode = encode;
        _reply = reply;
        _time = time;
        _interval = interval;
    }

    public void Report<TProgress>(TProgress value)
    {
        JobPayload payload = _codec.Encode(value, _encode);
        bool sendNow;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            long now = _time.GetTimestamp();
            sendNow = !_sentOnce || _time.GetElapsedTime(_lastSent, now) >= _interval;
            if (sendNow)
            {
                _sentOnce = true;
                _lastSent = now;
                _hasPending = false;
                _pending = default;

                // A flush armed for an earlier report would fire less than an interval after this one (a late timer
                // lets the clock pass its due time before it runs): the next flush is armed from this send.
                _flush?.Dispose();
                _flush = null;
            }
            else
            {
                _pending = payload;
                _hasPending = true;
                _flush ??= _time.CreateTimer(static s => ((ProgressSink)s!).Flush(), this, _interval - _time.GetElapsedTime(_lastSent, now), Timeout.InfiniteTimeSpan);
            }
        }

        if (sendNow)
        {
            _reply(WorkerEvent.Progress(_workerIndex, _jobId, payload));
        }
    }

    /// <summary>The job ended: nothing pending is sent any more.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _ended = true;
            _hasPending = false;
            _pending = default;
            _flush?.Dispose();
            _flush = null;
        }
    }

    private void Flush()
    {
        JobPayload payload;
        lock (_gate)
        {
            _flush?.Dispose();
            _flush = null;
            if (_ended || !_hasPending)
            {
                return;
            }

            // A callback already on its way when a report was sent at once (disposing a timer does not recall it):
            // the pending value waits out the interval from that send.
            long now = _time.GetTimestamp();
            TimeSpan since = _time.GetElapsedTime(_lastSent, now);
            if (since < _interval)
            {
                _flush = _time.CreateTimer(static s => ((ProgressSink)s!).Flush(), this, _interval - since, Timeout.InfiniteTimeSpan);
                return;
            }

            payload = _pending;
            _pending = default;
            _hasPending = false;
            _lastSent = now;
        }

        _reply(WorkerEvent.Progress(_workerIndex, _jobId, payload));
    }
}

/// <summary>The codec of a job's progress values, checked against the type the job reports.</summary>
internal abstract class ProgressCodec
{
    public abstract Type ProgressType { get; }

    public abstract JobPayload Encode<T>(T value, bool encode);

    /// <summary>Gets whether <paramref name="progress"/> is an <see cref="IProgress{T}"/> of this codec's type.</summary>
    public abstract bool TryMatch(object progress);

    /// <summary>Decodes a progress payload and hands it to the caller's <see cref="IProgress{T}"/>, if it is one of this type.</summary>
    public abstract bool TryDeliver(object progress, JobPayload payload);
}

/// <inheritdoc />
internal sealed class ProgressCodec<TProgress>(string jobName, JobCodec<TProgress> codec) : ProgressCodec
{
    public override Type ProgressType => typeof(TProgress);

    public override JobPayload Encode<T>(T value, bool encode)
    {
        if (value is not TProgress typed)
        {
            throw new InvalidOperationException($"Job '{jobName}' reported progress of type '{typeof(T).FullName}', but its registered progress type is '{typeof(TProgress).FullName}'.");
        }

        return encode ? JobPayload.FromBytes(codec.Encode(typed)) : JobPayload.FromValue(typed);
    }

    public override bool TryMatch(object progress) => progress is IProgress<TProgress>;

    public override bool TryDeliver(object progress, JobPayload payload)
    {
        if (progress is not IProgress<TProgress> target)
        {
            return false;
        }

        TProgress value = payload.IsEncoded ? codec.Decode(payload.Bytes) : (TProgress)payload.Value!;
        target.Report(value);
        return true;
    }
}
