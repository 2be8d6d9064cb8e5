using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Awsm.Scheduler.Samples.WorkerHost;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>The job set of the in-process hosts and their dispatchers: the fleet jobs plus test-controlled ones.</summary>
public static class TestJobs
{
    public static void Register(JobRegistry registry)
    {
        FleetJobs.Register(registry);
        registry.Add<GateJob, string, string>(TestJsonContext.Default)
                .Add<ThrowJob, string, int>(TestJsonContext.Default)
                .Add<StepsJob, int, int>(TestJsonContext.Default)
                .AddProgress<StepsJob, int>(TestJsonContext.Default);
    }
}

/// <summary>Reports each of its input's steps as progress, holding the last one until its gate opens.</summary>
public sealed class StepsJob : IWorkerJob<int, int>
{
    public static readonly TaskCompletionSource Finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static string Name => "test.steps";

    public static async ValueTask<int> ExecuteAsync(int input, JobContext context)
    {
        for (int i = 1; i <= input; i++)
        {
            context.ReportProgress(i);
        }

        await Finish.Task.WaitAsync(context.CancellationToken);
        return input;
    }
}

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>Throws an <see cref="InvalidOperationException"/> with the input as message.</summary>
public sealed class ThrowJob : IWorkerJob<string, int>
{
    public static string Name => "test.throw";

    public static ValueTask<int> ExecuteAsync(string input, JobContext context) => throw new InvalidOperationException(input);
}

/// <summary>Waits on a <see cref="Gate"/> named by its input (in-process hosts only).</summary>
public sealed class GateJob : IWorkerJob<string, string>
{
    public static string Name => "test.gate";

    public static async ValueTask<string> ExecuteAsync(string input, JobContext context)
    {
        Gate gate = Gate.Get(input);
        gate.Started.TrySetResult(context.WorkerIndex);
        try
        {
            await gate.Release.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            gate.TokenFired.TrySetResult();
            throw;
        }

        return $"{input}@{context.WorkerIndex}";
    }
}

public sealed class Gate
{
    private static readonly ConcurrentDictionary<string, Gate> Gates = new();

    private Gate(string key) => Key = key;

    public string Key { get; }

    public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Gate Create()
    {
        var gate = new Gate(Guid.NewGuid().ToString("N"));
        Gates[gate.Key] = gate;
        return gate;
    }

    public static Gate Get(string key) => Gates[key];
}
