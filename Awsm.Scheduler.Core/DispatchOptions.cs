namespace Awsm.Scheduler;

/// <summary>
/// How one dispatch runs: its timeout, its priority among queued jobs, and its placement key. The default value asks
/// for the pool's settings (the job type's timeout if it has one, else <see cref="WorkerPoolOptions.JobTimeout"/>;
/// <see cref="JobPriority.Normal"/>; no key).
/// </summary>
/// <remarks>
/// A value type: declare it once and pass it to every dispatch that wants it, or write it inline; it costs no
/// allocation. <code>await pool.DispatchAsync(RenderTile.Handle, tile, new DispatchOptions { Priority = JobPriority.High, Key = tile.Document }, ct);</code>
/// </remarks>
public readonly record struct DispatchOptions
{
    private readonly TimeSpan? _timeout;

    /// <summary>
    /// Gets the time the job may take, from its acceptance to its end (waiting in the queue included), after which it
    /// fails with <see cref="JobTimeoutException"/> and its worker is told to cancel it. <see langword="null"/> (the
    /// default) keeps the job type's or the pool's timeout; <see cref="Timeout.InfiniteTimeSpan"/> runs the job with no
    /// timeout at all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or a negative span other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan? Timeout
    {
        get => _timeout;
        init
        {
            if (value is { } timeout && timeout != System.Threading.Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(Timeout));
            }

            _timeout = value;
        }
    }

    /// <summary>Gets the lane the job waits in when no worker has room (see <see cref="JobPriority"/>).</summary>
    public JobPriority Priority { get; init; }

    /// <summary>
    /// Gets the job's placement key, or <see langword="null"/> for none. The pool's strategy sees it (see
    /// <see cref="JobPlacement.Key"/>): <see cref="WorkerSelectionStrategies.ConsistentHashing"/> sends jobs with one key
    /// to one worker while it is live and not overloaded. The built-in round-robin and least-busy strategies ignore it.
    /// </summary>
    public string? Key { get; init; }
}
