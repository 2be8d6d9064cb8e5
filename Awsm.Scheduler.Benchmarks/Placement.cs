using System.Diagnostics;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>
/// Measures where the two cores sit relative to each other: the median round trip of a cache line bounced between two
/// spinning threads. On this class of VM the two vCPUs are sometimes siblings (≈120 ns) and sometimes far apart
/// (≈240 ns and up), which moves every cross-thread figure by 2-4×; repetitions are compared only within one placement.
/// </summary>
internal static class Placement
{
    private const int BatchSize = 64;
    private const int Batches = 200;

    private const double AbsoluteSplitNanoseconds = 180;

    private static volatile int s_flag;

    /// <summary>Returns the median cross-core round trip in nanoseconds.</summary>
    public static double ProbeNanoseconds()
    {
        s_flag = 0;
        using var ready = new Barrier(2);
        var echo = new Thread(() =>
        {
            ready.SignalAndWait();
            for (int i = 0; i < BatchSize * Batches; i++)
            {
                while (s_flag != 1)
                {
                }

                s_flag = 0;
            }
        })
        { IsBackground = true, Name = "placement-echo" };
        echo.Start();
        ready.SignalAndWait();

        var batch = new double[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < BatchSize; i++)
            {
                s_flag = 1;
                while (s_flag != 0)
                {
                }
            }

            batch[b] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / BatchSize;
        }

        echo.Join();
        Array.Sort(batch);
        return batch[Batches / 2];
    }

    /// <summary>
    /// Splits probe results into placements: one class if the spread is small, else "near" below the geometric mean of
    /// the extremes and "far" above it.
    /// </summary>
    public static Func<double, string> Classifier(IReadOnlyCollection<double> probes)
    {
        double min = probes.Min();
        double max = probes.Max();
        if (max / min < 1.35)
        {
            // One placement throughout: name it by the absolute round trip.
            return rtt => rtt < AbsoluteSplitNanoseconds ? "near" : "far";
        }

        double split = Math.Sqrt(min * max);
        return rtt => rtt < split ? "near" : "far";
    }
}
