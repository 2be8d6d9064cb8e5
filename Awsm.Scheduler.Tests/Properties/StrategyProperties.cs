using CsCheck;

namespace Awsm.Scheduler.Tests.Properties;

/// <summary>Generated candidate lists for the built-in strategies (CsCheck; set CsCheck_Seed to replay a failure).</summary>
public sealed class StrategyProperties
{
    private static readonly Gen<int[][]> CandidateLoadSequences = Gen.Int[0, 20].Array[1, 16].Array[1, 40];

    public static TheoryData<string> Strategies => new() { "round-robin", "least-busy" };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Select_AnySequenceOfCandidateLists_ReturnsAValidPosition(string name) =>
        CandidateLoadSequences.Sample(sequence =>
        {
            IWorkerSelectionStrategy strategy = Create(name);
            foreach (int[] loads in sequence)
            {
                int choice = strategy.Select(default, Candidates(loads));
                Assert.InRange(choice, 0, loads.Length - 1);
            }
        });

    [Fact]
    public void LeastBusy_AnySequenceOfCandidateLists_PicksAMinimum() =>
        CandidateLoadSequences.Sample(sequence =>
        {
            IWorkerSelectionStrategy strategy = WorkerSelectionStrategies.LeastBusy();
            foreach (int[] loads in sequence)
            {
                Assert.Equal(loads.Min(), loads[strategy.Select(default, Candidates(loads))]);
            }
        });

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Select_EqualCandidatesKTimesN_PicksEachExactlyKTimes(string name) =>
        Gen.Select(Gen.Int[1, 32], Gen.Int[1, 20], Gen.Int[0, 10]).Sample((n, k, load) =>
        {
            IWorkerSelectionStrategy strategy = Create(name);
            WorkerLoad[] candidates = Candidates(Enumerable.Repeat(load, n).ToArray());
            int[] picks = new int[n];
            for (int i = 0; i < k * n; i++)
            {
                picks[strategy.Select(default, candidates)]++;
            }

            Assert.All(picks, count => Assert.Equal(k, count));
        });

    private static IWorkerSelectionStrategy Create(string name) =>
        name == "round-robin" ? WorkerSelectionStrategies.RoundRobin() : WorkerSelectionStrategies.LeastBusy();

    private static WorkerLoad[] Candidates(int[] loads) => loads.Select((load, i) => new WorkerLoad(i * 2, load)).ToArray();
}
