using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Awsm.Scheduler.Serialization;

namespace Awsm.Scheduler.Tests.Support;

/// <summary>int → int + 1.</summary>
public sealed class AddOneJob : IWorkerJob<int, int>
{
    public static JobHandle<int, int> Handle { get; } = JobHandle.For<AddOneJob, int, int>();

    public static string Name => "add-one";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input + 1);
}

/// <summary>Returns the index of the worker that ran it.</summary>
public sealed class WhoAmIJob : IWorkerJob<int, int>
{
    public static string Name => "who-am-i";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(context.WorkerIndex);
}

/// <summary>Throws an <see cref="InvalidOperationException"/> with the input as message.</summary>
public sealed class ThrowJob : IWorkerJob<string, int>
{
    public static string Name => "throw";

    public static ValueTask<int> ExecuteAsync(string input, JobContext context) => throw new InvalidOperationException(input);
}

/// <summary>Reverses a byte buffer (raw bytes: no base64).</summary>
public sealed class ReverseBytesJob : IWorkerJob<byte[], byte[]>
{
    public static string Name => "reverse-bytes";

    public static ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context)
    {
        byte[] copy = (byte[])input.Clone();
        Array.Reverse(copy);
        return ValueTask.FromResult(copy);
    }
}

/// <summary>A record input/output through the source-generated JSON context.</summary>
public sealed class SumJob : IWorkerJob<SumInput, SumOutput>
{
    public static string Name => "sum";

    public static ValueTask<SumOutput> ExecuteAsync(SumInput input, JobContext context) =>
        ValueTask.FromResult(new SumOutput(input.Values.Sum(), context.WorkerIndex));
}

public sealed record SumInput(int[] Values);

public sealed record SumOutput(long Total, int Worker);

/// <summary>
/// Waits on a <see cref="Gate"/> named by its input: tells the test it started, waits to be released (honouring its
/// cancellation token unless the gate says to ignore it), and records whether its token fired.
/// </summary>
public sealed class GateJob : IWorkerJob<string, string>
{
    public static JobHandle<string, string> Handle { get; } = JobHandle.For<GateJob, string, string>();

    public static string Name => "gate";

    public static async ValueTask<string> ExecuteAsync(string input, JobContext context)
    {
        Gate gate = Gate.Get(input);
        using CancellationTokenRegistration registration = context.CancellationToken.Register(() => gate.TokenFired.TrySetResult());
        gate.Started.TrySetResult(context.WorkerIndex);
        if (gate.IgnoreCancellation)
        {
            await gate.Release.Task.ConfigureAwait(false);
        }
        else
        {
            try
            {
                await gate.Release.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                gate.TokenFired.TrySetResult();
                throw;
            }
        }

        return $"{input}@{context.WorkerIndex}";
    }
}

/// <summary>Output type that System.Text.Json refuses (a <see cref="System.Type"/> property).</summary>
public sealed class TypeHolder
{
    public Type? Held { get; set; }
}

public sealed class UnserializableOutputJob : IWorkerJob<int, TypeHolder>
{
    public static string Name => "unserializable-output";

    public static ValueTask<TypeHolder> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(new TypeHolder { Held = typeof(int) });
}

public sealed class UnserializableInputJob : IWorkerJob<TypeHolder, int>
{
    public static string Name => "unserializable-input";

    public static ValueTask<int> ExecuteAsync(TypeHolder input, JobContext context) => ValueTask.FromResult(1);
}

/// <summary>A test-controlled synchronisation point for <see cref="GateJob"/>.</summary>
public sealed class Gate
{
    private static readonly ConcurrentDictionary<string, Gate> Gates = new();

    private Gate(string key)
    {
        Key = key;
    }

    public string Key { get; }

    public bool IgnoreCancellation { get; init; }

    /// <summary>Completes with the worker index when the job starts.</summary>
    public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Gate Create(bool ignoreCancellation = false)
    {
        var gate = new Gate(Guid.NewGuid().ToString("N")) { IgnoreCancellation = ignoreCancellation };
        Gates[gate.Key] = gate;
        return gate;
    }

    public static Gate Get(string key) => Gates[key];
}

[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(SumInput))]
[JsonSerializable(typeof(SumOutput))]
public sealed partial class TestJsonContext : JsonSerializerContext;

public static class TestRegistry
{
    /// <summary>The registry every contract test uses: the same on both sides, as the InProc transport shares it.</summary>
    public static JobRegistry Create()
    {
        var registry = new JobRegistry()
            .Add<AddOneJob, int, int>(TestJsonContext.Default)
            .Add<WhoAmIJob, int, int>(TestJsonContext.Default)
            .Add<ThrowJob, string, int>(TestJsonContext.Default)
            .Add<ReverseBytesJob, byte[], byte[]>(TestJsonContext.Default)
            .Add<SumJob, SumInput, SumOutput>(TestJsonContext.Default)
            .Add<GateJob, string, string>(TestJsonContext.Default)
            .Add<UnserializableOutputJob, int, TypeHolder>(JobCodecs.Json(TestJsonContext.Default.Int32), JobCodecs.Reflection<TypeHolder>())
            .Add<UnserializableInputJob, TypeHolder, int>(JobCodecs.Reflection<TypeHolder>(), JobCodecs.Json(TestJsonContext.Default.Int32));
        return registry;
    }
}
