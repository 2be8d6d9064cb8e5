using System.Diagnostics;

namespace Awsm.Scheduler.Samples.Blazor.Jobs;

/// <summary>
/// Counts the primes in a range by trial division: real CPU work. A web worker is single-threaded: the cancel envelope
/// (and anything else the page sends) is only read between tasks, so the job yields to the worker's event loop every
/// ~50 ms of work and then checks its token. It reports its progress (the fraction of its range done, 0 to 1) as it goes:
/// the job runtime paces and coalesces the reports.
/// </summary>
public sealed class PrimeCountJob : IWorkerJob<PrimeRange, PrimeCount>
{
    private const int Chunk = 2_000;
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc />
    public static string Name => "prime-count";

    /// <summary>Gets the job's handle: it names the job and its types once, for registration and dispatch.</summary>
    public static JobHandle<PrimeRange, PrimeCount> Handle { get; } = JobHandle.For<PrimeCountJob, PrimeRange, PrimeCount>();

    /// <inheritdoc />
    public static async ValueTask<PrimeCount> ExecuteAsync(PrimeRange input, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        long started = Stopwatch.GetTimestamp();
        long sliceStart = started;
        int count = 0;
        for (long n = input.From; n < input.To; n += Chunk)
        {
            if (Stopwatch.GetElapsedTime(sliceStart) >= Slice)
            {
                await Task.Yield();
                sliceStart = Stopwatch.GetTimestamp();
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            context.ReportProgress((double)(n - input.From) / (input.To - input.From));
            long end = Math.Min(n + Chunk, input.To);
            for (long k = n; k < end; k++)
            {
                if (IsPrime(k))
                {
                    count++;
                }
            }
        }

        return new PrimeCount(count, context.WorkerIndex, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n % 2 == 0)
        {
            return n == 2;
        }

        for (long d = 3; d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
