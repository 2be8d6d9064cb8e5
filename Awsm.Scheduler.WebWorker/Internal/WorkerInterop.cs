using System.Runtime.InteropServices;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// The worker bootstrap (js/worker.js), which registers the <c>awsm-worker</c> imports with
/// <c>runtime.setModuleImports</c> before it runs the app's Main, and calls the exports below for each envelope.
/// </summary>
[SupportedOSPlatform("browser")]
internal static partial class WorkerInterop
{
    internal const string ModuleName = "awsm-worker";

    /// <summary>Gets or sets the worker's endpoint, set by <see cref="WebWorkerHost.RunAsync"/> before <see cref="Ready"/>.</summary>
    internal static WorkerEndpoint? Endpoint { get; set; }

    /// <summary>Tells the bootstrap that jobs may flow: it reports ready to the page and drains its queue.</summary>
    /// <param name="hostMs">How long <see cref="WebWorkerHost.RunAsync"/> took until ready (for the start timings).</param>
    [JSImport("ready", ModuleName)]
    internal static partial void Ready(double hostMs);

    [JSExport]
    internal static void OnJob(double id, string? name, byte[]? payload, string? traceParent, string? traceState) =>
        Endpoint?.OnJob(id, name, payload, traceParent, traceState);

    [JSExport]
    internal static void OnCancel(double id) => Endpoint?.OnCancel(id);

    /// <summary>Queues a result; the bootstrap posts all results of one macrotask in one message.</summary>
    [JSImport("postResult", ModuleName)]
    private static partial void PostResult(double id, [JSMarshalAs<JSType.MemoryView>] Span<byte> payload);

    /// <summary>Posts a running job's progress value (the buffer transferred).</summary>
    [JSImport("postProgress", ModuleName)]
    private static partial void PostProgress(double id, [JSMarshalAs<JSType.MemoryView>] Span<byte> payload);

    [JSImport("postError", ModuleName)]
    private static partial void PostError(string id, string errorKind, string errorType, string message, string? stack);

    /// <summary>Posts replies to the page.</summary>
    internal sealed class Sink : IWorkerReplySink
    {
        public static readonly Sink Instance = new();

        public void Result(long id, ReadOnlySpan<byte> payload) =>
            // MemoryView needs a Span<byte>; JS only copies out of it (slice()), so dropping readonly is safe.
            PostResult(id, MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(payload), payload.Length));

        public void Result(string id, ReadOnlySpan<byte> payload)
        {
            if (JobId.TryParse(id, out JobId jobId))
            {
                Result(jobId.Value, payload);
            }
            else
            {
                Problem($"a result with a malformed job id '{id}'");
            }
        }

        public void Progress(long id, ReadOnlySpan<byte> payload) =>
            PostProgress(id, MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(payload), payload.Length));

        public void Error(string id, string errorKind, string errorType, string message, string? stack) =>
            PostError(id, errorKind, errorType, message, stack);

        public void Problem(string description) => Console.Error.WriteLine($"awsm worker: dropped an envelope: {description}");
    }
}
