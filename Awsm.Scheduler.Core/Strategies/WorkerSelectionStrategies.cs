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

    /// <summary>The round-robin strategy; the dispatcher places for it without its send lock (see <c>Dispatcher</c>).</summary>
    internal sealed class RoundRobinStrategy : IWorkerSelectionStrategy
    {
        private uint _cursor = uint.MaxValue;

        public int Select(ReadOnlySpan<WorkerLoad> candidates) =>
            (int)(Interlocked.Increment(ref _cursor) % (uint)candidates.Length);
    }

    private sealed class LeastBusyStrategy : IWorkerSelectionStrategy
    {
        private int _next;

        public int Select(ReadOnlySpan<WorkerLoad> candidates)
        {
            // Scan from just after the previous choice, keeping the first minimum found: equally loaded workers
            // then take turns instead of the lowest index always winning.
            int start = (int)((uint)Volatile.Read(ref _next) % (uint)candidates.Length);
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

            Volatile.Write(ref _next, best + 1);
            return best;
        }
    }
}
