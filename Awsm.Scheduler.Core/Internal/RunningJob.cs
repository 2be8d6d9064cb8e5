namespace Awsm.Scheduler.Internal;

/// <summary>
/// A job running on a worker, as the worker runtime sees it: its id and its cancellation. The token source is created
/// only when the job reads its token (most short jobs never do); a cancel that arrives before that is remembered, and
/// the source is then created already cancelled.
/// </summary>
/// <remarks>
/// <para>
/// The runtime reuses one instance for the jobs that run synchronously to their end, one after another (no object per
/// job); a job that goes asynchronous keeps its instance for good. Reuse is safe because everything that can reach the
/// instance late names the job it means, and every such path checks that name against the job the instance holds now:
/// </para>
/// <list type="bullet">
/// <item>A cancel is a compare-exchange of <see cref="_canceledId"/> from "not <c>id</c>" (<c>~id</c>, written by
/// <see cref="Reset"/> before the id) to <c>id</c>: a late cancel for an earlier job compares against the wrong value
/// and changes nothing.</item>
/// <item>A token read (<see cref="TokenFor"/>) by code of an earlier job (a task it left behind, holding its
/// <see cref="JobContext"/>) gets a cancelled token: that job has ended. So does a read that comes after the job's end
/// but before the instance holds another (an idle worker, or a job that went asynchronous): its source is disposed.</item>
/// <item>The token source carries the id of the job it was made for: a cancel fires it only for that job, and a job that
/// finds one made for another (a late reader of an earlier job published it) replaces it.</item>
/// </list>
/// </remarks>
internal sealed class RunningJob
{
    private JobTokenSource? _source;
    private long _id;
    private long _canceledId;

    public RunningJob()
    {
        _canceledId = ~0L;
    }

    public RunningJob(JobId id)
    {
        Reset(id);
    }

    public JobId Id => new(Volatile.Read(ref _id));

    /// <summary>Gets whether a cancel was requested for the job this instance holds now.</summary>
    public bool IsCancellationRequested
    {
        get
        {
            long id = Volatile.Read(ref _id);
            return Volatile.Read(ref _canceledId) == id;
        }
    }

    /// <summary>Makes this instance hold <paramref name="id"/>. Only while nothing runs on it (the runtime owns it).</summary>
    public void Reset(JobId id)
    {
        Volatile.Write(ref _source, null);
        Volatile.Write(ref _canceledId, ~id.Value);

        // Last: a cancel or a token read for this id can only start once it sees it, after the two writes above.
        Volatile.Write(ref _id, id.Value);
    }

    /// <summary>
    /// Gets the token of job <paramref name="id"/>, creating its source on first use (from any thread the job runs on);
    /// a cancelled token if this instance has moved on to another job.
    /// </summary>
    public CancellationToken TokenFor(JobId id)
    {
        long expected = id.Value;
        while (true)
        {
            if (Volatile.Read(ref _id) != expected)
            {
                return new CancellationToken(canceled: true);
            }

            JobTokenSource? source = Volatile.Read(ref _source);
            if (source is not null && source.JobId == expected)
            {
                return TokenOf(source);
            }

            // None yet, or one a late reader of an earlier job left behind (tagged with that job's id): replace it.
            var created = new JobTokenSource(expected);
            if (Interlocked.CompareExchange(ref _source, created, source) != source)
            {
                created.Dispose();
                continue;
            }

            if (Volatile.Read(ref _id) != expected)
            {
                // This reader was late: the instance moved on while the source was made. The next job's reader
                // replaces the source (its tag is not that job's); this job has ended.
                return new CancellationToken(canceled: true);
            }

            // Published first, then the flag read (the exchange is a full fence): a cancel that set the flag before the
            // source was visible did not see it, so it is fired here. No callback can be registered on it yet.
            if (Volatile.Read(ref _canceledId) == expected)
            {
                CancelQuietly(created);
            }

            return TokenOf(created);
        }
    }

    /// <summary>
    /// Fires the token of job <paramref name="id"/> on the thread pool (its callbacks must not run on the thread that
    /// delivered the cancel); does nothing if this instance holds another job or the cancel was already requested.
    /// </summary>
    public void RequestCancel(JobId id)
    {
        long expected = id.Value;
        if (Interlocked.CompareExchange(ref _canceledId, expected, ~expected) != ~expected)
        {
            return;
        }

        // The flag before the source read (the exchange is a full fence), against the creation in TokenFor. A source
        // is fired only if it was made for this job.
        if (Volatile.Read(ref _source) is { } source && source.JobId == expected)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static source => CancelQuietly(source), source, preferLocal: false);
        }
    }

    /// <summary>Releases the token source, if one was created; the job has ended.</summary>
    public void Finish()
    {
        if (Volatile.Read(ref _source) is { } source && source.JobId == Volatile.Read(ref _id))
        {
            source.Dispose();
        }
    }

    /// <summary>
    /// The source's token, or a cancelled one if <see cref="Finish"/> disposed it: the reader came after its job ended
    /// (a task the job left behind, on an idle worker or racing the end), and a token read must never throw.
    /// </summary>
    private static CancellationToken TokenOf(CancellationTokenSource source)
    {
        try
        {
            return source.Token;
        }
        catch (ObjectDisposedException)
        {
            return new CancellationToken(canceled: true);
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job finished between the request and the cancel: nothing left to cancel.
        }
        catch (AggregateException)
        {
            // A callback the job registered on its token threw; the job's own outcome reports what matters.
        }
    }

    /// <summary>A token source tagged with the job it was made for.</summary>
    private sealed class JobTokenSource(long jobId) : CancellationTokenSource
    {
        public long JobId { get; } = jobId;
    }
}
