using System.Globalization;
using BenchmarkDotNet.Running;
using Awsm.Scheduler.Benchmarks;

// dotnet run -c Release --project Awsm.Scheduler.Benchmarks -- --quick [--reps N] [--cell-ms M]
// dotnet run -c Release --project Awsm.Scheduler.Benchmarks -- --bdn [BenchmarkDotNet arguments, e.g. --filter *W1*]
if (args.Length > 0 && args[0] == "--bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(Target).Assembly).Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "--quick")
{
    int reps = Option("--reps", 8);
    int cellMs = Option("--cell-ms", 300);
    return await new QuickHarness(reps, TimeSpan.FromMilliseconds(cellMs)).RunAsync();
}

Console.WriteLine("Usage: -- --quick [--reps 8] [--cell-ms 300]   (one table, under 3 minutes on 2 cores)");
Console.WriteLine("       -- --bdn [BenchmarkDotNet arguments]     (full run, e.g. --filter '*')");
return 2;

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
