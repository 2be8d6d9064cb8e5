using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>W1 and W2 under BenchmarkDotNet: 1,024 jobs per invocation, 64 in flight, 2 workers; the floor is the baseline.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ThroughputBenchmarks
{
    private const int Jobs = 1024;
    private const int InFlight = 64;
    private readonly Dictionary<string, Target> _targets = [];
    private readonly byte[] _buffer = new byte[1024];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        new Random(42).NextBytes(_buffer);
        foreach (string name in Target.All)
        {
            Target target = Target.Create(name);
            await target.StartAsync(2);
            _targets[name] = target;
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (Target target in _targets.Values)
        {
            await target.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Jobs), BenchmarkCategory("W1")]
    public Task W1_Floor() => Run(_targets["Floor"], hash: false);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W1")]
    public Task W1_InProcByReference() => Run(_targets["ByReference"], hash: false);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W1")]
    public Task W1_InProcSerialized() => Run(_targets["Serialized"], hash: false);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W1")]
    public Task W1_Dataflow() => Run(_targets["Dataflow"], hash: false);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W1")]
    public Task W1_TaskRun() => Run(_targets["TaskRun"], hash: false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Jobs), BenchmarkCategory("W2")]
    public Task W2_Floor() => Run(_targets["Floor"], hash: true);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W2")]
    public Task W2_InProcByReference() => Run(_targets["ByReference"], hash: true);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W2")]
    public Task W2_InProcSerialized() => Run(_targets["Serialized"], hash: true);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W2")]
    public Task W2_Dataflow() => Run(_targets["Dataflow"], hash: true);

    [Benchmark(OperationsPerInvoke = Jobs), BenchmarkCategory("W2")]
    public Task W2_TaskRun() => Run(_targets["TaskRun"], hash: true);

    private Task Run(Target target, bool hash)
    {
        var loops = new Task[InFlight];
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = Loop(target, hash, i);
        }

        return Task.WhenAll(loops);
    }

    private async Task Loop(Target target, bool hash, int seed)
    {
        for (int i = 0; i < Jobs / InFlight; i++)
        {
            _ = hash ? await target.Hash(_buffer) : await target.NoOp(seed + i);
        }
    }
}

/// <summary>W3 under BenchmarkDotNet: one job in flight; the mean round trip (the quick mode reports percentiles).</summary>
[MemoryDiagnoser]
public class LatencyBenchmarks
{
    private Target? _target;

    [Params("Floor", "ByReference", "Serialized", "Dataflow", "TaskRun")]
    public string TargetName { get; set; } = "Floor";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _target = Target.Create(TargetName);
        await _target.StartAsync(2);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _target!.DisposeAsync();

    [Benchmark]
    public ValueTask<int> W3_RoundTrip() => _target!.NoOp(1);
}

/// <summary>Start and dispose of 2 and 8 workers, including one job to prove they run.</summary>
public class StartDisposeBenchmarks
{
    [Params(2, 8)]
    public int Workers { get; set; }

    [Params("Floor", "ByReference", "Serialized", "Dataflow")]
    public string TargetName { get; set; } = "Floor";

    [Benchmark]
    public async Task StartRunOneDispose()
    {
        Target target = Target.Create(TargetName);
        await target.StartAsync(Workers);
        await target.NoOp(0);
        await target.DisposeAsync();
    }
}
