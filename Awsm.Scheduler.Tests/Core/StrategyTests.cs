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
}
