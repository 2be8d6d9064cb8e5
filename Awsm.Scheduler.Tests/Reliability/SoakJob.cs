using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>What a soak job does on the worker.</summary>
public enum SoakAction
{
    Return,
    Throw,
    Yield,
    CrashWorker,
    WaitForCancellation,
    Slow,
}

public sealed record SoakInput(SoakAction Action, int Value);

/// <summary>
/// A job whose behaviour the soak picks: return, throw, yield, crash its own worker, hang until canceled, or keep its
/// worker's thread busy for a while (a slow, CPU-bound job).
/// </summary>
public sealed class SoakJob : IWorkerJob<SoakInput, int>
{
    public static string Name => "soak";

    public static async ValueTask<int> ExecuteAsync(SoakInput input, JobContext context)
    {
        switch (input.Action)
        {
            case SoakAction.Throw:
                throw new InvalidOperationException($"soak failure {input.Value}");
            case SoakAction.Yield:
                await Task.Yield();
                return input.Value + 1;
            case SoakAction.CrashWorker:
                // The worker dies holding this job (and whatever else it holds): like a fatal error in a Web Worker.
                ((FaultInjectingTransport)context.Services.GetService(typeof(FaultInjectingTransport))!).Crash(context.WorkerIndex, $"soak crash {input.Value}");
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(false);
                return -1;
            case SoakAction.Slow:
                Thread.SpinWait(20_000 + (input.Value % 50_000));
                return input.Value + 1;
            case SoakAction.WaitForCancellation:
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(false);
                return -1;
            default:
                return input.Value + 1;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SoakInput))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
public sealed partial class SoakJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
