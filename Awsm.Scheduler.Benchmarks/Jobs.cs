using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>W1: int → int + 1; measures nothing but the dispatch path.</summary>
public sealed class NoOpJob : IWorkerJob<int, int>
{
    public static string Name => "bench.no-op";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(Work(input));

    public static int Work(int input)
    {
        JobThreads.Note();
        return input + 1;
    }
}

/// <summary>W2: SHA-256 of a 1 KiB input buffer (about 1 µs with SHA-NI), folded to an int.</summary>
public sealed class HashJob : IWorkerJob<byte[], int>
{
    public static string Name => "bench.hash-1k";

    public static ValueTask<int> ExecuteAsync(byte[] input, JobContext context) => ValueTask.FromResult(Work(input));

    public static int Work(byte[] input)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return BitConverter.ToInt32(digest);
    }
}

/// <summary>Source-generated metadata, the way a trimmed app registers its jobs.</summary>
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(byte[]))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

internal static class BenchRegistry
{
    public static JobRegistry Create() => new JobRegistry()
        .Add<NoOpJob, int, int>(BenchJsonContext.Default)
        .Add<HashJob, byte[], int>(BenchJsonContext.Default);
}
