using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal;

/// <summary>
/// One dispatch from the moment it is accepted until it ends. Its state moves Queued → Sent → Done or straight
/// Queued → Done; the move to Done happens exactly once (whoever wins the exchange completes the caller), which is
/// what makes "every dispatch ends exactly once" hold under races between results, crashes, timeouts and cancellation.
/// </summary>
internal abstract class PendingJob
{
    private const int QueuedState = 0;
    private const int SentState = 1;
    private const int DoneState = 2;

    private int _state;

    protected PendingJob(JobId id, string jobName, JobPayload payload, long acceptedTimestamp)
    {
        Id = id;
        JobName = jobName;
        Payload = payload;
        AcceptedTimestamp = acceptedTimestamp;
    }

    public JobId Id { get; }

    public string JobName { get; }

    /// <summary>Gets the input; released once the job is sent so a large buffer is not kept alive by the pending map.</summary>
    public JobPayload Payload { get; private set; }

    public long AcceptedTimestamp { get; }

    public long SentTimestamp { get; private set; }

    /// <summary>Gets the worker the job was sent to; meaningful only once sent.</summary>
    public int WorkerIndex { get; private set; } = -1;

    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public Activity? Activity { get; set; }

    public CancellationToken CallerToken { get; set; }

    public CancellationTokenRegistration CancellationRegistration { get; set; }

    public ITimer? TimeoutTimer { get; set; }

    public bool IsDone => Volatile.Read(ref _state) == DoneState;

    public bool IsSent => Volatile.Read(ref _state) == SentState;

    /// <summary>Claims the job for a worker; fails if it already ended (cancelled or timed out while queued).</summary>
    public bool TryMarkSent(int workerIndex, long timestamp)
    {
        WorkerIndex = workerIndex;
        SentTimestamp = timestamp;
        return Interlocked.CompareExchange(ref _state, SentState, QueuedState) == QueuedState;
    }

    /// <summary>Releases the input after it has been handed to the transport.</summary>
    public void ReleasePayload() => Payload = default;

    /// <summary>Moves to Done. Returns <see langword="false"/> if another path already did; <paramref name="wasSent"/> tells whether a worker holds the job.</summary>
    public bool TryMarkDone(out bool wasSent)
    {
        int previous = Interlocked.Exchange(ref _state, DoneState);
        wasSent = previous == SentState;
        return previous != DoneState;
    }

    /// <summary>Completes the caller with the worker's output. Throws if the output cannot be decoded; the caller is then not completed.</summary>
    public abstract void SetResult(JobPayload output);

    public abstract void SetException(Exception exception);

    public abstract void SetCanceled(CancellationToken cancellationToken);
}

/// <summary>
/// A pending job whose caller awaits a <typeparamref name="TOutput"/>. The job is itself the source of the caller's
/// <see cref="ValueTask{TResult}"/>: no TaskCompletionSource and no Task per dispatch (88 bytes less per job). It is
/// not pooled: timers, cancellation callbacks and the crash path may still hold a job after it ended, and a recycled
/// job would let them end somebody else's dispatch.
/// </summary>
internal sealed class PendingJob<TOutput> : PendingJob, IValueTaskSource<TOutput>
{
    // Mutable struct: never readonly, never copied. Set exactly once, by whoever won TryMarkDone.
    private ManualResetValueTaskSourceCore<TOutput> _completion = new() { RunContinuationsAsynchronously = true };
    private readonly IJobOutputDecoder<TOutput> _decoder;

    public PendingJob(JobId id, string jobName, JobPayload payload, long acceptedTimestamp, IJobOutputDecoder<TOutput> decoder)
        : base(id, jobName, payload, acceptedTimestamp)
    {
        _decoder = decoder;
    }

    /// <summary>Gets what the caller awaits. Like any <see cref="ValueTask{TResult}"/>, it may be awaited (or turned into a Task) once.</summary>
    public ValueTask<TOutput> Task => new(this, _completion.Version);

    public override void SetResult(JobPayload output) => _completion.SetResult(_decoder.DecodeOutput(output));

    public override void SetException(Exception exception) => _completion.SetException(exception);

    // Awaiting rethrows it; AsTask() turns an OperationCanceledException into a cancelled Task with this token.
    public override void SetCanceled(CancellationToken cancellationToken) => _completion.SetException(new TaskCanceledException(null, null, cancellationToken));

    TOutput IValueTaskSource<TOutput>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TOutput>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<TOutput>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}

/// <summary>Turns what a worker sent back into the caller's output type.</summary>
internal interface IJobOutputDecoder<TOutput>
{
    TOutput DecodeOutput(JobPayload payload);
}
