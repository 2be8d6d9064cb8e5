namespace Awsm.Scheduler;

/// <summary>The built-in strategies. Each call returns a new instance with its own cursor.</summary>
public static class WorkerSelectionStrategies
{
    /// <summary>
    /// Creates a round-robin strategy: the workers that can take a job now (ready, below their in-flight limit) take
    /// turns, whatever their load. With every worker below its limit, jobs go 0, 1, …, N-1, 0, …
    /// </summary>
    /// <returns>The strategy.</returns>
    public static IWorkerSelectionStrategy RoundRobin() => new RoundRobinStrategy();

    /// <summary>Creates a least-busy strategy: the worker with the fewest jobs in flight; ties are broken round-robin.</summary>
    /// <returns>The strategy.</returns>
    public static IWorkerSelectionStrategy LeastBusy() => new LeastBusyStrategy();

    /// <summary>
    /// Creates a consistent-hashing strategy with bounded load: jobs with one <see cref="DispatchOptions.Key"/> go to one
    /// worker (its warm caches), and a hot key spills to the next worker in the key's order instead of piling up.
    /// Jobs without a key are placed least-busy.
    /// </summary>
    /// <remarks>
    /// <para>Each key ranks the workers by a hash of the key and the worker's index (rendezvous hashing) and takes the
    /// first in its ranking that can take a job and holds at most <paramref name="loadFactor"/> times the average load
    /// (rounded up, counting the job being placed). When a worker is lost, only the keys it served move, each to its
    /// next-ranked worker; when it is back, they return to it. The hash is stable across processes and runs, so a
    /// restarted dispatcher places keys as before.</para>
    /// <para>A key's jobs may still run on two workers at once when the first is over its bound or full.</para>
    /// </remarks>
    /// <param name="loadFactor">How far above the average a worker may be loaded and still take its keys' jobs; at least 1.
    /// Lower spreads a hot key sooner, higher keeps keys in place longer.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="loadFactor"/> is below 1 or not a number.</exception>
    public static IWorkerSelectionStrategy ConsistentHashing(double loadFactor = WorkerPoolDefaults.HashingLoadFactor)
    {
        if (!(loadFactor >= 1.0) || double.IsInfinity(loadFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(loadFactor), loadFactor, "The load factor must be a finite number of at least 1.");
        }

        return new ConsistentHashingStrategy(loadFactor);
    }

    /// <summary>The round-robin strategy; the dispatcher places for it without its send lock (see <c>Dispatcher</c>).</summary>
    internal sealed class RoundRobinStrategy : IWorkerSelectionStrategy
    {
        private uint _cursor = uint.MaxValue;

        public int Select(in JobPlacement job, ReadOnlySpan<WorkerLoad> candidates) =>
            (int)(Interlocked.Increment(ref _cursor) % (uint)candidates.Length);
    }

    private sealed class LeastBusyStrategy : IWorkerSelectionStrategy
    {
        private int _next;

        public int Select(in JobPlacement job, ReadOnlySpan<WorkerLoad> candidates) => SelectLeastBusy(candidates, ref _next);
    }

    private sealed class ConsistentHashingStrategy(double loadFactor) : IWorkerSelectionStrategy
    {
        private int _next;

        public int Select(in JobPlacement job, ReadOnlySpan<WorkerLoad> candidates)
        {
            if (job.Key is not { } key)
            {
                return SelectLeastBusy(candidates, ref _next);
            }

            long total = 1;
            foreach (WorkerLoad candidate in candidates)
            {
                total += candidate.InFlight;
            }

            // The bound counts the job being placed, so an idle pool always has room for it under the bound.
            long bound = (long)Math.Ceiling(loadFactor * total / candidates.Length);
            ulong keyHash = StableHash(key);
            int best = -1;
            ulong bestScore = 0;
            int fallback = 0;
            ulong fallbackScore = 0;
            for (int i = 0; i < candidates.Length; i++)
            {
                ulong score = Mix(keyHash ^ ((ulong)(uint)candidates[i].WorkerIndex * 0x9E3779B97F4A7C15UL));
                if (score >= fallbackScore)
                {
                    (fallback, fallbackScore) = (i, score);
                }

                if (candidates[i].InFlight < bound && (best < 0 || score >= bestScore))
                {
                    (best, bestScore) = (i, score);
                }
            }

            // Every candidate is above the bound only with a bound below 1, which the total of at least 1 rules out;
            // the key's own first choice is kept as a guard.
            return best >= 0 ? best : fallback;
        }

        /// <summary>FNV-1a over the key's UTF-16 code units: the same in every process (unlike <see cref="string.GetHashCode()"/>).</summary>
        private static ulong StableHash(string key)
        {
            ulong hash = 0xCBF29CE484222325UL;
            foreach (char c in key)
            {
                hash = (hash ^ c) * 0x100000001B3UL;
            }

            return hash;
        }

        /// <summary>A 64-bit finalizer (splitmix64's): neighbouring inputs get unrelated scores.</summary>
        private static ulong Mix(ulong x)
        {
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }

    /// <summary>The candidate with the fewest jobs in flight; equally loaded ones take turns from just after the last choice.</summary>
    private static int SelectLeastBusy(ReadOnlySpan<WorkerLoad> candidates, ref int next)
    {
        // Scan from just after the previous choice, keeping the first minimum found: equally loaded workers
        // then take turns instead of the lowest index always winning.
        int start = (int)((uint)Volatile.Read(ref next) % (uint)candidates.Length);
        int best = start;
        for (int step = 1; step < candidates.Length; step++)
        {
            int i = start + step;
            if (i >= candidates.Length)
            {
                i -= candidates.Length;
            }

            if (candidates[i].InFlight < candidates[best].InFlight)
            {
                best = i;
            }
        }

        Volatile.Write(ref next, best + 1);
        return best;
    }
}
