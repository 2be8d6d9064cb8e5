using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>Returns the index of the worker that ran it.</summary>
public sealed class WorkerIndexJob : IWorkerJob<int, int>
{
    public static string Name => "hosting.worker-index";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(context.WorkerIndex);
}

/// <summary>Throws an <see cref="InvalidOperationException"/> with the input as message.</summary>
public sealed class FailingJob : IWorkerJob<string, int>
{
    public static string Name => "hosting.failing";

    public static ValueTask<int> ExecuteAsync(string input, JobContext context) => throw new InvalidOperationException(input);
}

/// <summary>A job registered in no pool.</summary>
public sealed class UnregisteredJob : IWorkerJob<int, int>
{
    public static string Name => "hosting.unregistered";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input);
}

/// <summary>Greets with a service resolved from <see cref="JobContext.Services"/>.</summary>
public sealed class GreetingJob : IWorkerJob<string, string>
{
    public static string Name => "hosting.greeting";

    public static ValueTask<string> ExecuteAsync(string input, JobContext context)
    {
        var greeter = (Greeter?)context.Services.GetService(typeof(Greeter)) ?? throw new InvalidOperationException("No Greeter in the job's services.");
        return ValueTask.FromResult(greeter.Greet(input));
    }
}

public sealed class Greeter(string greeting)
{
    public string Greet(string name) => $"{greeting}, {name}";
}

/// <summary>Starts a span with its own <see cref="ActivitySource"/> and returns its trace id (or Activity.Current's).</summary>
public sealed class TraceJob : IWorkerJob<int, string>
{
    public const string SourceName = "Awsm.Scheduler.Tests.Hosting.Job";

    private static readonly ActivitySource Source = new(SourceName);

    public static string Name => "hosting.trace";

    public static ValueTask<string> ExecuteAsync(int input, JobContext context)
    {
        using Activity? inner = Source.StartActivity("inside-the-job");
        Activity? current = inner ?? Activity.Current;
        return ValueTask.FromResult(current is null ? "none" : current.TraceId.ToHexString());
    }
}

/// <summary>
/// Waits on a <see cref="HostingGate"/> named by its input when it runs on the gate's stalling worker (any worker when
/// <see cref="HostingGate.StallOn"/> is null); elsewhere returns at once. Returns the worker index.
/// </summary>
public sealed class GatedJob : IWorkerJob<string, int>
{
    public static string Name => "hosting.gated";

    public static async ValueTask<int> ExecuteAsync(string input, JobContext context)
    {
        HostingGate gate = HostingGate.Get(input);
        if (gate.StallOn is { } stallOn && stallOn != context.WorkerIndex)
        {
            return context.WorkerIndex;
        }

        gate.Started.TrySetResult(context.WorkerIndex);
        try
        {
            await gate.Release.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Recorded here rather than in a token registration: the registration would be disposed, unrun, when the
            // cancellation callback of WaitAsync resumes this method inline.
            gate.TokenFired.TrySetResult(context.WorkerIndex);
            throw;
        }

        return context.WorkerIndex;
    }
}

/// <summary>A test-controlled synchronisation point for <see cref="GatedJob"/>.</summary>
public sealed class HostingGate
{
    private static readonly ConcurrentDictionary<string, HostingGate> Gates = new();

    private HostingGate(string key, int? stallOn)
    {
        Key = key;
        StallOn = stallOn;
    }

    public string Key { get; }

    /// <summary>Gets the worker on which the job waits; null for every worker.</summary>
    public int? StallOn { get; }

    /// <summary>Completes with the worker index when a stalling job starts.</summary>
    public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the worker index when the stalling job's worker-side token fires.</summary>
    public TaskCompletionSource<int> TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static HostingGate Create(int? stallOn = null)
    {
        var gate = new HostingGate(Guid.NewGuid().ToString("N"), stallOn);
        Gates[gate.Key] = gate;
        return gate;
    }

    public static HostingGate Get(string key) => Gates[key];
}

[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class HostingJsonContext : JsonSerializerContext;
