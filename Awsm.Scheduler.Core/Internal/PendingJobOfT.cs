using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal;

/// <summary>
/// A pending job whose caller awaits a <typeparamref name="TOutput"/>. The job is itself the source of the caller's
/// <see cref="ValueTask{TResult}"/>: no TaskCompletionSource and no Task per dispatch.
/// </summary>
/// <remarks>
/// <para>
/// Pooled, one spare per thread: when the caller takes the result (<see cref="IValueTaskSource{TResult}.GetResult"/>,
/// which a <see cref="ValueTask{TResult}"/> allows once), the instance becomes that thread's spare, and the next
/// dispatch from the thread (a caller awaiting one job after another resumes there) reuses it as a new generation.
/// Paths that still hold it after its end check the generation (see <see cref="PendingJob"/>), and the caller's
/// version of the value task (<see cref="ManualResetValueTaskSourceCore{TResult}.Version"/>) rejects a second await.
/// </para>
/// <para>
/// Not reused: a job whose caller passed an <see cref="IProgress{T}"/> (a late progress report must not find another
/// caller's listener), and an instance whose result was taken before the completing thread had left
/// <see cref="ManualResetValueTaskSourceCore{TResult}"/>'s completion (a caller that polls
/// <see cref="ValueTask{TResult}.IsCompleted"/> can take it that early; the completion may still write the instance).
/// Those are left to the GC.
/// </para>
/// </remarks>
internal sealed class PendingJob<TOutput> : PendingJob, IValueTaskSource<TOutput>
{
    [ThreadStatic]
    private static PendingJob<TOutput>? t_spare;

    // Mutable struct: never readonly, never copied. Set exactly once per generation, by whoever won TryMarkDone.
    private ManualResetValueTaskSourceCore<TOutput> _completion = new() { RunContinuationsAsynchronously = true };
    private IJobOutputDecoder<TOutput> _decoder;
    private TOutput? _output;
    private readonly bool _reusable;

    // 1 once the completing thread has returned from the completion: from then on it touches the instance no more.
    private int _signaled;

    private PendingJob(string jobName, JobPayload payload, long acceptedTimestamp, IJobOutputDecoder<TOutput> decoder, bool reusable)
        : base(jobName, payload, acceptedTimestamp)
    {
        _decoder = decoder;
        _reusable = reusable;
    }

    /// <summary>Gets what the caller awaits. Like any <see cref="ValueTask{TResult}"/>, it may be awaited (or turned into a Task) once.</summary>
    public ValueTask<TOutput> Task => new(this, _completion.Version);

    /// <summary>Gets a job for a new dispatch: this thread's spare if it has one (and the job reports no progress), else a new one.</summary>
    public static PendingJob<TOutput> Rent(string jobName, JobPayload payload, long acceptedTimestamp, IJobOutputDecoder<TOutput> decoder, ProgressRoute? progress)
    {
        if (progress is null && t_spare is { } spare)
        {
            t_spare = null;
            spare._decoder = decoder;
            spare.Reuse(jobName, payload, acceptedTimestamp);
            return spare;
        }

        return new PendingJob<TOutput>(jobName, payload, acceptedTimestamp, decoder, reusable: progress is null) { Progress = progress };
    }

    public override SchedulerException? TryDecodeOutput(JobPayload output)
    {
        try
        {
            _output = _decoder.DecodeOutput(output);
            return null;
        }
        catch (SchedulerException ex)
        {
            return ex;
        }
    }

    public override void SetDecodedResult()
    {
        TOutput output = _output!;
        _output = default;
        _completion.SetResult(output);
        Volatile.Write(ref _signaled, 1);
    }

    public override void SetException(Exception exception)
    {
        _completion.SetException(exception);
        Volatile.Write(ref _signaled, 1);
    }

    // Awaiting rethrows it; AsTask() turns an OperationCanceledException into a canceled Task with this token.
    public override void SetCanceled(CancellationToken cancellationToken)
    {
        _completion.SetException(new TaskCanceledException(null, null, cancellationToken));
        Volatile.Write(ref _signaled, 1);
    }

    TOutput IValueTaskSource<TOutput>.GetResult(short token)
    {
        // A stale token (a second await of the same value task) throws here and recycles nothing.
        bool current = token == _completion.Version;
        try
        {
            return _completion.GetResult(token);
        }
        finally
        {
            if (current)
            {
                Recycle();
            }
        }
    }

    ValueTaskSourceStatus IValueTaskSource<TOutput>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<TOutput>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    /// <summary>The caller took the result: the instance becomes this thread's spare, if it may be reused.</summary>
    private void Recycle()
    {
        if (!_reusable || Volatile.Read(ref _signaled) == 0)
        {
            return;
        }

        _signaled = 0;
        _output = default;
        ClearForReuse();

        // Bumps the version: the value task the caller just consumed is invalid from here on.
        _completion.Reset();
        t_spare ??= this;
    }
}
