using System.Diagnostics;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Awsm.Scheduler.Samples.Browser.Jobs;

/// <summary>Returns its input bytes (benchmarks and the 32 MiB round trip).</summary>
public sealed class EchoJob : IWorkerJob<byte[], byte[]>
{
    /// <inheritdoc />
    public static string Name => "echo";

    /// <inheritdoc />
    public static ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context) => ValueTask.FromResult(input);
}

/// <summary>Returns the index of the worker that ran it.</summary>
public sealed class WhoAmIJob : IWorkerJob<int, int>
{
    /// <inheritdoc />
    public static string Name => "whoami";

    /// <inheritdoc />
    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(context.WorkerIndex);
}

/// <summary>Waits its input in milliseconds, observing its token.</summary>
public sealed class WaitJob : IWorkerJob<int, string>
{
    /// <inheritdoc />
    public static string Name => "wait";

    /// <inheritdoc />
    public static async ValueTask<string> ExecuteAsync(int input, JobContext context)
    {
        await Task.Delay(input, context.CancellationToken);
        return $"waited {input} ms on worker {context.WorkerIndex}";
    }
}

/// <summary>Burns CPU for its input in milliseconds and ignores cancellation (the pool must terminate the worker).</summary>
public sealed class SpinJob : IWorkerJob<int, int>
{
    /// <inheritdoc />
    public static string Name => "spin";

    /// <inheritdoc />
    public static ValueTask<int> ExecuteAsync(int input, JobContext context)
    {
        var sw = Stopwatch.StartNew();
        long spins = 0;
        while (sw.ElapsedMilliseconds < input)
        {
            spins++;
        }

        return ValueTask.FromResult((int)Math.Min(spins, int.MaxValue));
    }
}

/// <summary>Crashes its worker: an uncaught error at the worker's top level (a timer callback that throws).</summary>
[SupportedOSPlatform("browser")]
public sealed partial class CrashJob : IWorkerJob<int, int>
{
    /// <inheritdoc />
    public static string Name => "crash";

    /// <inheritdoc />
    public static ValueTask<int> ExecuteAsync(int input, JobContext context)
    {
        SetTimeout(static () => throw new InvalidOperationException("simulated fatal error at the worker's top level"), 0);
        return new ValueTask<int>(Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => 0, TaskScheduler.Default));
    }

    [JSImport("globalThis.setTimeout")]
    private static partial void SetTimeout([JSMarshalAs<JSType.Function>] Action callback, int milliseconds);
}

/// <summary>Posts malformed envelopes to the page from inside the worker, then returns normally.</summary>
[SupportedOSPlatform("browser")]
public sealed partial class MalformedJob : IWorkerJob<int, int>
{
    /// <inheritdoc />
    public static string Name => "malformed";

    /// <inheritdoc />
    public static ValueTask<int> ExecuteAsync(int input, JobContext context)
    {
        PostString("not an envelope");
        PostJson("{\"kind\":\"result\",\"id\":\"abc\"}");
        PostJson("{\"kind\":\"weird\",\"id\":\"1\"}");
        PostJson("{\"kind\":\"error\",\"id\":\"-5\",\"errorKind\":\"job-failed\"}");
        return ValueTask.FromResult(4);
    }

    [JSImport("globalThis.postMessage")]
    private static partial void PostString(string message);

    private static void PostJson(string json)
    {
        using JSObject parsed = Parse(json);
        PostObject(parsed);
    }

    [JSImport("globalThis.JSON.parse")]
    private static partial JSObject Parse(string json);

    [JSImport("globalThis.postMessage")]
    private static partial void PostObject(JSObject message);
}

/// <summary>Registered on the page only, never in the workers: dispatching it proves the unknown-job path.</summary>
public sealed class PageOnlyJob : IWorkerJob<int, int>
{
    /// <inheritdoc />
    public static string Name => "page-only";

    /// <inheritdoc />
    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input);
}
