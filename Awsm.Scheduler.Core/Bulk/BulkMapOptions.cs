namespace Awsm.Scheduler;

/// <summary>How a bulk map runs: its fan-out, its order, its failure policy, the options of each dispatch and its progress.</summary>
/// <remarks>One instance may serve many batches; a batch reads it once, when its enumeration starts.</remarks>
public sealed class BulkMapOptions
{
    /// <summary>The default of <see cref="MaxConcurrency"/>: 16.</summary>
    public const int DefaultMaxConcurrency = 16;

    private int _maxConcurrency = DefaultMaxConcurrency;

    /// <summary>
    /// Gets or sets how many items may be dispatched and not yet handed to the consumer at once: never more jobs than
    /// this run or wait in the pool for the batch, and never more results than this wait to be read.
    /// </summary>
    /// <value>16 (<see cref="DefaultMaxConcurrency"/>): enough to keep 16 workers busy, far below the default queue capacity of the pool.</value>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or less.</exception>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxConcurrency = value;
        }
    }

    /// <summary>Gets or sets the order in which results are handed back.</summary>
    /// <value><see cref="BulkOrder.InputOrder"/>.</value>
    public BulkOrder Order { get; set; }

    /// <summary>Gets or sets what a failed job does to the batch.</summary>
    /// <value><see cref="BulkFailurePolicy.CancelRest"/>.</value>
    public BulkFailurePolicy FailurePolicy { get; set; }

    /// <summary>Gets or sets the options of every dispatch of the batch (timeout, priority, key).</summary>
    /// <value><see langword="default"/>: the pool's settings.</value>
    public DispatchOptions Dispatch { get; set; }

    /// <summary>
    /// Gets or sets where the batch reports how far it has come, after each item ends and when the number of inputs
    /// becomes known. Reports are made one at a time, their counts never go down, and none follows the end of the enumeration.
    /// </summary>
    /// <value><see langword="null"/>: no reports.</value>
    public IProgress<BulkProgress>? Progress { get; set; }
}
