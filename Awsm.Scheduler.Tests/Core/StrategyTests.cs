namespace Awsm.Scheduler.Tests.Core;

public sealed class StrategyTests
{
    [Fact]
    public void RoundRobin_EqualCandidates_TakeTurnsInIndexOrder()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.RoundRobin();
        WorkerLoad[] candidates = [new(0, 0), new(1, 0), new(2, 0)];

        int[] picks = Enumerable.Range(0, 6).Select(_ => strategy.Select(default, candidates)).ToArray();

        Assert.Equal([0, 1, 2, 0, 1, 2], picks);
    }

    [Fact]
    public void LeastBusy_UnequalLoad_PicksTheMinimum()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.LeastBusy();
        WorkerLoad[] candidates = [new(0, 5), new(1, 2), new(2, 7)];

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(1, strategy.Select(default, candidates));
        }
    }

    [Fact]
    public void LeastBusy_Ties_AreBrokenRoundRobin()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.LeastBusy();
        WorkerLoad[] candidates = [new(0, 1), new(1, 1), new(2, 3)];

        int[] picks = Enumerable.Range(0, 4).Select(_ => strategy.Select(default, candidates)).ToArray();

        Assert.Equal([0, 1, 0, 1], picks);
    }

    [Fact]
    public void ConsistentHashing_SameKey_AlwaysTheSameWorker()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.ConsistentHashing();
        WorkerLoad[] candidates = [new(0, 0), new(1, 0), new(2, 0), new(3, 0)];

        int[] picks = [.. Enumerable.Range(0, 10).Select(_ => strategy.Select(Keyed("tenant-42"), candidates))];

        Assert.Single(picks.Distinct());
    }

    [Fact]
    public void ConsistentHashing_WorkerLeaves_OnlyItsKeysMove()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.ConsistentHashing();
        WorkerLoad[] all = [.. Enumerable.Range(0, 5).Select(i => new WorkerLoad(i, 0))];
        WorkerLoad[] withoutTwo = [.. all.Where(c => c.WorkerIndex != 2)];
        string[] keys = [.. Enumerable.Range(0, 1000).Select(i => $"key-{i}")];

        int[] before = [.. keys.Select(k => all[strategy.Select(Keyed(k), all)].WorkerIndex)];
        int[] after = [.. keys.Select(k => withoutTwo[strategy.Select(Keyed(k), withoutTwo)].WorkerIndex)];
        int[] back = [.. keys.Select(k => all[strategy.Select(Keyed(k), all)].WorkerIndex)];

        for (int i = 0; i < keys.Length; i++)
        {
            if (before[i] != 2)
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.Equal(before, back);
        Assert.InRange(before.Count(w => w == 2), 120, 280); // about a fifth of the keys
        Assert.True(after.Where((_, i) => before[i] == 2).Distinct().Count() > 1, "The keys of the worker that left all moved to one worker.");
    }

    [Fact]
    public void ConsistentHashing_HotKeyAboveTheBound_SpillsAndComesBack()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.ConsistentHashing(loadFactor: 1.25);
        int home = strategy.Select(Keyed("hot"), [new(0, 0), new(1, 0)]);

        // Two jobs in flight, both on the key's worker: the bound for a third is ceil(1.25 * 3 / 2) = 2.
        WorkerLoad[] loaded = home == 0 ? [new(0, 2), new(1, 0)] : [new(0, 0), new(1, 2)];
        Assert.Equal(1 - home, strategy.Select(Keyed("hot"), loaded));

        WorkerLoad[] relieved = home == 0 ? [new(0, 1), new(1, 0)] : [new(0, 0), new(1, 1)];
        Assert.Equal(home, strategy.Select(Keyed("hot"), relieved));
    }

    [Fact]
    public void ConsistentHashing_NoKey_PicksTheLeastBusy()
    {
        IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.ConsistentHashing();

        Assert.Equal(2, strategy.Select(default, [new(0, 4), new(1, 3), new(2, 1)]));
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ConsistentHashing_LoadFactorBelowOneOrNotFinite_Throws(double loadFactor) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerSelectionStrategies.ConsistentHashing(loadFactor));

    private static JobPlacement Keyed(string key) => new("job", key, JobPriority.Normal);
}
