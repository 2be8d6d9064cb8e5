namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Per-call options on every transport: priority among queued jobs, a per-call timeout, keyed placement.</summary>
internal static class PlacementScenarios
{
    public static async Task DispatchAsync_HighPriorityQueuedBehindNormal_LeavesFirst(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        ConformanceGate running = c.NewGate();
        Task<string> first = p.Gate(running);
        await running.Started();
        ConformanceGate[] normal = [c.NewGate(), c.NewGate()];
        ConformanceGate high = c.NewGate();
        List<Task<string>> jobs = [.. normal.Select(g => p.Gate(g, new DispatchOptions { Priority = JobPriority.Normal }))];
        jobs.Add(p.Gate(high, new DispatchOptions { Priority = JobPriority.High }));

        running.Release();
        await first;

        // One place in the pool: the next job is sent only when the previous one ended, so start order is queue order.
        var order = new List<ConformanceGate>();
        var left = new List<ConformanceGate>([.. normal, high]);
        while (left.Count > 0)
        {
            await Task.WhenAny(left.Select(g => g.Started())).WaitAsync(c.Guard);
            ConformanceGate[] started = [.. left.Where(g => g.HasStarted)];
            Check.Equal(1, started.Length);
            ConformanceGate next = started[0];
            order.Add(next);
            left.Remove(next);
            next.Release();
        }

        Check.Equal([high, normal[0], normal[1]], order);
        await Task.WhenAll(jobs);
    }

    public static async Task DispatchAsync_PerCallTimeout_EndsTheJobAtItsOwnTime(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.JobTimeout = TimeSpan.FromSeconds(30));
        ConformanceGate shortGate = c.NewGate();
        ConformanceGate longGate = c.NewGate();
        Task<string> shortJob = p.Gate(shortGate, new DispatchOptions { Timeout = TimeSpan.FromSeconds(2) });
        Task<string> longJob = p.Gate(longGate, new DispatchOptions { Timeout = Timeout.InfiniteTimeSpan });
        await Task.WhenAll(shortGate.Started(), longGate.Started());

        p.FakeTime.Advance(TimeSpan.FromSeconds(2));

        var error = await Check.ThrowsAsync<JobTimeoutException>(() => shortJob);
        Check.Equal(TimeSpan.FromSeconds(2), error.Timeout);
        await shortGate.TokenFired();

        p.FakeTime.Advance(TimeSpan.FromMinutes(5));
        Check.False(longJob.IsCompleted);
        longGate.Release();
        string result = await longJob;
        Check.True(result.StartsWith(longGate.Key, StringComparison.Ordinal), "the job's own output");
        Check.Equal(1, p.Pool.GetStats().TimedOut);
    }

    public static async Task DispatchAsync_KeyedJobs_SurvivorsKeepTheirKeysWhenAWorkerIsLost(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.Strategy = WorkerSelectionStrategies.ConsistentHashing());
        string[] keys = [.. Enumerable.Range(0, 12).Select(i => $"key-{i}")];
        var home = new Dictionary<string, int>();
        foreach (string key in keys)
        {
            home[key] = await p.WhoAmI(new DispatchOptions { Key = key });
            Check.Equal(home[key], await p.WhoAmI(new DispatchOptions { Key = key }));
        }

        // Twelve keys over two workers: with a fair hash, both hold some (the chance that one holds all is 1 in 2,048).
        int lost = home[keys[0]];
        Check.True(home.Values.Any(w => w != lost), "both workers hold keys");

        ConformanceGate gate = c.NewGate();
        Task<string> victim = p.Gate(gate, new DispatchOptions { Key = keys[0] });
        Check.Equal(lost, await gate.Started());
        p.Faults.Crash(lost);
        await Check.ThrowsAsync<WorkerCrashedException>(() => victim);

        foreach (string key in keys)
        {
            int now = await p.WhoAmI(new DispatchOptions { Key = key });
            Check.True(now != lost, $"key '{key}' moved off the lost worker");
            if (home[key] != lost)
            {
                Check.Equal(home[key], now);
            }
        }
    }

    public static async Task DispatchAsync_OneJobPerKey_SameKeyWaitsForTheJobBefore(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.OneJobPerKey = true);
        ConformanceGate first = c.NewGate();
        ConformanceGate second = c.NewGate();
        Task<string> firstJob = p.Gate(first, new DispatchOptions { Key = "k" });
        await first.Started();

        Task<string> secondJob = p.Gate(second, new DispatchOptions { Key = "k" });

        // A worker is idle, yet the second job of the key waits, holding its place in the queue; other jobs pass.
        Check.Equal(1, p.Pool.GetStats().QueueDepth);
        Check.Equal(2, await p.AddOne(1));
        Check.False(second.HasStarted);

        first.Release();
        await firstJob;
        await second.Started();
        second.Release();
        Check.True((await secondJob).StartsWith(second.Key, StringComparison.Ordinal), "the second job's own output");
        Check.Equal(0, p.Pool.GetStats().QueueDepth);
    }
}
