namespace Awsm.Scheduler.Telemetry;

/// <summary>
/// Keeps the most recent round-trip samples in a fixed ring so that percentiles cost nothing on the hot path and
/// memory stays bounded; a snapshot sorts a copy.
/// </summary>
internal sealed class LatencyRecorder
{
    private const int Capacity = 4096;
    private readonly long[] _ticks = new long[Capacity];
    private long _count;

    public void Record(TimeSpan elapsed)
    {
        long slot = Interlocked.Increment(ref _count) - 1;
        Volatile.Write(ref _ticks[slot & (Capacity - 1)], elapsed.Ticks);
    }

    /// <summary>Returns the requested percentiles (0 to 100) of the recent samples; zero when there are none.</summary>
    public TimeSpan[] Percentiles(params ReadOnlySpan<double> percentiles)
    {
        int n = (int)Math.Min(Volatile.Read(ref _count), Capacity);
        var result = new TimeSpan[percentiles.Length];
        if (n == 0)
        {
            return result;
        }

        long[] copy = new long[n];
        Array.Copy(_ticks, copy, n);
        Array.Sort(copy);
        for (int i = 0; i < percentiles.Length; i++)
        {
            int rank = (int)Math.Ceiling(percentiles[i] / 100.0 * n) - 1;
            result[i] = TimeSpan.FromTicks(copy[Math.Clamp(rank, 0, n - 1)]);
        }

        return result;
    }
}
