using Awsm.Scheduler.Testing.Internal.Jobs;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Bulk maps and cancel-all on every transport: the window, input order, the first failure, the pool's cancel.</summary>
internal static class BulkScenarios
{
    private static readonly JobHandle<GateInput, string> Gate = JobHandle.For<GateJob, GateInput, string>();

    public static async Task MapAsync_OrderedWithBoundedFanOut_YieldsInInputOrder(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate[] gates = [.. Enumerable.Range(0, 6).Select(_ => c.NewGate())];
        Task<List<BulkResult<string>>> results = CollectAsync(p.Pool.MapAsync(Gate, gates.Select(g => new GateInput(g.Key, false)), new BulkMapOptions { MaxConcurrency = 3 })).WaitAsync(c.Guard);
        await Task.WhenAll(gates[..3].Select(g => g.Started()));

        // The window is full: three jobs in the pool, the fourth input not dispatched.
        Check.Equal(3, p.Pool.GetStats().Pending);
        Check.False(gates[3].HasStarted);

        // Released in reverse, handed out in input order; the window never holds more than three jobs.
        for (int i = 2; i >= 0; i--)
        {
            gates[i].Release();
        }

        foreach (ConformanceGate gate in gates[3..])
        {
            await gate.Started();
            Check.InRange(p.Pool.GetStats().Pending, 1, 3);
            gate.Release();
        }

        List<BulkResult<string>> all = await results;
        Check.Equal([0, 1, 2, 3, 4, 5], all.Select(r => r.Index).ToArray());
        Check.All(all, r => Check.True(r.Output.StartsWith(gates[r.Index].Key, StringComparison.Ordinal), "each result is its own input's"));
        Check.Equal(0, p.Pool.GetStats().Pending);
    }

    public static async Task MapAsync_FirstFailure_CancelsTheRestAndLeavesNothingPending(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate[] gates = [.. Enumerable.Range(0, 4).Select(_ => c.NewGate())];
        IEnumerable<GateInput> inputs = gates.Select((g, i) => new GateInput(g.Key, false, FailOnRelease: i == 1));
        Task<List<BulkResult<string>>> results = CollectAsync(p.Pool.MapAsync(Gate, inputs)).WaitAsync(c.Guard);
        await Task.WhenAll(gates.Select(g => g.Started()));

        gates[1].Release();

        var error = await Check.ThrowsAsync<JobFailedException>(() => results);
        Check.Contains("failed as asked", error.Message);
        Check.Equal(0, p.Pool.GetStats().Pending);
        await Task.WhenAll(gates.Where((_, i) => i != 1).Select(g => g.TokenFired()));
    }

    public static async Task CancelPendingJobs_QueuedAndRunning_EndAsCanceledAndThePoolServesOn(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        ConformanceGate running = c.NewGate();
        ConformanceGate queued = c.NewGate();
        Task<string> first = p.Gate(running);
        await running.Started();
        Task<string> second = p.Gate(queued);

        Check.Equal(2, p.Pool.CancelPendingJobs());

        await Check.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Check.ThrowsAnyAsync<OperationCanceledException>(() => second);
        await running.TokenFired();
        Check.False(queued.HasStarted);
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(2L, stats.Canceled);
        Check.Equal(0, stats.Pending);
        Check.Equal(42, await p.AddOne(41));
    }

    private static async Task<List<BulkResult<T>>> CollectAsync<T>(IAsyncEnumerable<BulkResult<T>> results)
    {
        var list = new List<BulkResult<T>>();
        await foreach (BulkResult<T> result in results.ConfigureAwait(false))
        {
            list.Add(result);
        }

        return list;
    }
}
