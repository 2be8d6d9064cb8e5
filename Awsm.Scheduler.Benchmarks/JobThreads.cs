using System.Runtime.CompilerServices;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>
/// Counts the distinct threads that ran a benchmark job since the last <see cref="Reset"/>: each thread remembers the
/// epoch it last registered in, so a job costs one thread-static read and one compare unless its thread is new to the
/// cell. With 2 workers, more than 2 threads in a cell means a worker's jobs ran on more than one thread (it moved).
/// </summary>
internal static class JobThreads
{
    private static int s_epoch;
    private static int s_distinct;
    private static int s_outsidePool;

    [ThreadStatic]
    private static int t_epoch;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Note()
    {
        int epoch = Volatile.Read(ref s_epoch);
        if (t_epoch != epoch)
        {
            t_epoch = epoch;
            Interlocked.Increment(ref s_distinct);
            if (!Thread.CurrentThread.IsThreadPoolThread)
            {
                Interlocked.Increment(ref s_outsidePool);
            }
        }
    }

    /// <summary>Starts a new cell: every thread counts again the first time it runs a job.</summary>
    public static void Reset()
    {
        Volatile.Write(ref s_distinct, 0);
        Volatile.Write(ref s_outsidePool, 0);
        Interlocked.Increment(ref s_epoch);
    }

    public static int Distinct => Volatile.Read(ref s_distinct);

    /// <summary>Of <see cref="Distinct"/>, the threads that are not thread-pool threads (a worker on a dedicated thread).</summary>
    public static int OutsidePool => Volatile.Read(ref s_outsidePool);
}
