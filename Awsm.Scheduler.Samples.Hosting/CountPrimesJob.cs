using System.Text.Json.Serialization;
using Awsm.Scheduler;

namespace Awsm.Scheduler.Samples.Hosting;

/// <summary>Counts the primes up to a limit: CPU-bound work that belongs on a worker, not on a request thread.</summary>
public sealed class CountPrimesJob : IWorkerJob<int, PrimeCount>
{
    public static string Name => "count-primes";

    public static ValueTask<PrimeCount> ExecuteAsync(int input, JobContext context)
    {
        int count = 0;
        for (int n = 2; n <= input; n++)
        {
            // Cooperative cancellation: the caller's token, the pool's timeout or Polly's timeout all land here.
            if ((n & 0xFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (IsPrime(n))
            {
                count++;
            }
        }

        return ValueTask.FromResult(new PrimeCount(input, count, context.WorkerIndex));
    }

    private static bool IsPrime(int n)
    {
        if (n < 4)
        {
            return n > 1;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        for (int d = 3; (long)d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The result of <see cref="CountPrimesJob"/>.</summary>
/// <param name="Limit">The limit that was asked for.</param>
/// <param name="Count">How many primes are at most <paramref name="Limit"/>.</param>
/// <param name="Worker">The worker that counted them.</param>
public sealed record PrimeCount(int Limit, int Count, int Worker);

/// <summary>Source-generated JSON metadata for the job's input and output (trim-safe, as in a browser app).</summary>
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(PrimeCount))]
public sealed partial class SampleJsonContext : JsonSerializerContext;
