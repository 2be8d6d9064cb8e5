namespace Awsm.Scheduler;

/// <summary>How far a bulk map has come: what ended, and how many inputs there are once that is known.</summary>
/// <param name="Completed">Items whose job ended with its output.</param>
/// <param name="Failed">Items whose job ended with an exception (the batch's own cancellation excluded).</param>
/// <param name="Canceled">Items whose job the batch canceled (after a first failure, or when the caller's token fired).</param>
/// <param name="Total">How many inputs the batch has: known at once for a collection, at the end of the sequence otherwise; <see langword="null"/> while unknown.</param>
public readonly record struct BulkProgress(int Completed, int Failed, int Canceled, int? Total)
{
    /// <summary>Gets how many items ended, whatever their end.</summary>
    public int Ended => Completed + Failed + Canceled;
}
