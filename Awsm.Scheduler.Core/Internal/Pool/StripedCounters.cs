using System.Diagnostics;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The pool's per-job counters and its recent round-trip samples, striped by the processor the recording thread runs
/// on: each stripe has its own cache lines, so a job's counts stay on the core that recorded them instead of bouncing
/// one shared line between cores on every job. Reads sum the stripes (they are rare: stats, not dispatch).
/// </summary>
/// <remarks>
/// A thread can move between processors, and two threads can share one, so a stripe is still updated with interlocked
/// operations: uncontended ones on a line the core already owns. A sum read after a job's caller resumed includes
/// that job (each increment happens before the caller is completed).
/// </remarks>
internal sealed class StripedCounters
{
    public const int Dispatched = 0;
    public const int Completed = 1;
    public const int Failed = 2;
    public const int Canceled = 3;
    public const int TimedOut = 4;
    public const int Refused = 5;

    // The cell after the counters: how many round-trip samples the stripe has written (its ring's next index).
    private const int SamplesWritten = 6;

    // 16 longs = 128 bytes per stripe: two cache lines, so the adjacent-line prefetcher does not pair two stripes.
    // Stripe s lives at cells [(s + 1) * StripeWidth, (s + 2) * StripeWidth): the first block only keeps the array's
    // header off the first stripe's lines.
    private const int StripeWidth = 16;
    private const int MaxStripes = 16;
    private const int TotalSamples = 4096;

    private readonly long[] _cells;
    private readonly long[][] _samples;
    private readonly int _stripeMask;
    private readonly int _sampleMask;

    public StripedCounters()
        : this(Environment.ProcessorCount)
    {
    }

    public StripedCounters(int processors)
    {
        int stripes = (int)Math.Min(MaxStripes, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, processors)));
        _stripeMask = stripes - 1;
        _cells = new long[(stripes + 1) * StripeWidth];

        // About TotalSamples recent samples in all, at least 512 per stripe.
        int perStripe = Math.Max(512, TotalSamples / stripes);
        Debug.Assert(System.Numerics.BitOperations.IsPow2(perStripe), "The ring index is masked.");
        _sampleMask = perStripe - 1;
        _samples = new long[stripes][];
        for (int i = 0; i < stripes; i++)
        {
            _samples[i] = new long[perStripe];
        }
    }

    public int Stripes => _stripeMask + 1;

    public void Increment(int counter)
    {
        Debug.Assert(counter is >= Dispatched and < SamplesWritten, "A counter index.");
        Interlocked.Increment(ref _cells[Base(Stripe()) + counter]);
    }

    public long Sum(int counter)
    {
        Debug.Assert(counter is >= Dispatched and < SamplesWritten, "A counter index.");
        long total = 0;
        for (int s = 0; s <= _stripeMask; s++)
        {
            total += Volatile.Read(ref _cells[Base(s) + counter]);
        }

        return total;
    }

    /// <summary>Keeps a round-trip sample in this stripe's ring (the oldest one of the stripe is overwritten).</summary>
    public void RecordSample(TimeSpan elapsed)
    {
        int stripe = Stripe();
        long slot = Interlocked.Increment(ref _cells[Base(stripe) + SamplesWritten]) - 1;
        Volatile.Write(ref _samples[stripe][slot & _sampleMask], elapsed.Ticks);
    }

    /// <summary>Returns the requested percentiles (0 to 100) of the recent samples of every stripe; zero when there are none.</summary>
    public TimeSpan[] Percentiles(params ReadOnlySpan<double> percentiles)
    {
        var result = new TimeSpan[percentiles.Length];
        int capacity = _sampleMask + 1;
        int n = 0;
        Span<int> counts = stackalloc int[_stripeMask + 1];
        for (int s = 0; s <= _stripeMask; s++)
        {
            counts[s] = (int)Math.Min(Volatile.Read(ref _cells[Base(s) + SamplesWritten]), capacity);
            n += counts[s];
        }

        if (n == 0)
        {
            return result;
        }

        long[] copy = new long[n];
        int at = 0;
        for (int s = 0; s <= _stripeMask; s++)
        {
            Array.Copy(_samples[s], 0, copy, at, counts[s]);
            at += counts[s];
        }

        Array.Sort(copy);
        for (int i = 0; i < percentiles.Length; i++)
        {
            int rank = (int)Math.Ceiling(percentiles[i] / 100.0 * n) - 1;
            result[i] = TimeSpan.FromTicks(copy[Math.Clamp(rank, 0, n - 1)]);
        }

        return result;
    }

    private static int Base(int stripe) => (stripe + 1) * StripeWidth;

    // The runtime caches the processor id per thread and refreshes it now and then: a few nanoseconds. Where the
    // platform has none (-1), everything lands in the last stripe, which is still correct.
    private int Stripe() => Thread.GetCurrentProcessorId() & _stripeMask;
}
