using System.Globalization;
using BenchmarkDotNet.Running;
using Awsm.Scheduler.Benchmarks;

// dotnet run -c Release --project Awsm.Scheduler.Benchmarks -- --quick [--reps N] [--cell-ms M] [--pairs P] [--pair-ms Q]
// dotnet run -c Release --project Awsm.Scheduler.Benchmarks -- --redis 127.0.0.1:6379 [--cell-s 5]
// dotnet run -c Release --project Awsm.Scheduler.Benchmarks -- --bdn [BenchmarkDotNet arguments, e.g. --filter *W1*]
if (args.Length > 0 && args[0] == "--bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(Target).Assembly).Run(args[1..]);
    return 0;
}

if (args.Length > 1 && args[0] == "--redis")
{
    return await RedisBench.RunAsync(args[1], TimeSpan.FromSeconds(Option("--cell-s", 5)));
}

if (args.Length > 0 && args[0] == "--quick")
{
    int reps = Option("--reps", 3);
    int cellMs = Option("--cell-ms", 300);
    int pairs = Option("--pairs", 24);
    int pairMs = Option("--pair-ms", 120);
    return await new QuickHarness(reps, TimeSpan.FromMilliseconds(cellMs), pairs, TimeSpan.FromMilliseconds(pairMs)).RunAsync();
}

if (args.Length > 1 && args[0] == "--profile")
{
    // W1 on one target for a while, nothing else: for dotnet-trace / dotnet-counters.
    int seconds = Option("--seconds", 10);
    await QuickHarness.ProfileAsync(args[1], TimeSpan.FromSeconds(seconds));
    return 0;
}

Console.WriteLine("Usage: -- --quick [--reps 3] [--cell-ms 300] [--pairs 24] [--pair-ms 120]   (full table, then paired ratios to Dataflow; about 2 minutes on 2 cores; --reps 0 skips the full table)");
Console.WriteLine("       -- --redis 127.0.0.1:6379 [--cell-s 5]   (Redis transport beside its raw floor)");
Console.WriteLine("       -- --profile <target> [--seconds 10]       (W1 only, to attach dotnet-trace; targets: " + string.Join(", ", Target.All) + ")");
Console.WriteLine("       -- --bdn [BenchmarkDotNet arguments]     (full run, e.g. --filter '*')");
return 2;

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
