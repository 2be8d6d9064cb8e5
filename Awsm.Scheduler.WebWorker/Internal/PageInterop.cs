using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>The page module (js/page.js), imported from a data: URL. Thin: the logic lives in <see cref="WorkerSlots"/>.</summary>
[SupportedOSPlatform("browser")]
internal static partial class PageInterop
{
    internal const string ModuleName = "awsm-webworker-page";

    private static readonly Dictionary<int, WebWorkerTransport> Transports = [];
    private static readonly Lock Gate = new();
    private static Task? s_import;

    /// <summary>
    /// Imports the page module once per page. Every [JSImport] into it must come after this: calling one before the
    /// module is imported is an assert that kills the whole runtime.
    /// </summary>
    public static Task EnsureImportedAsync()
    {
        lock (Gate)
        {
            return s_import is { IsFaulted: false, IsCanceled: false } ? s_import : s_import = ImportAsync();
        }
    }

    public static void Register(int transport, WebWorkerTransport instance)
    {
        lock (Gate)
        {
            Transports[transport] = instance;
        }
    }

    public static void Unregister(int transport)
    {
        lock (Gate)
        {
            Transports.Remove(transport);
        }
    }

    [JSImport("resolveDotnetUrl", ModuleName)]
    internal static partial string ResolveDotnetUrl(string? explicitUrl);

    /// <returns><see langword="null"/> when the worker was created, else why not.</returns>
    [JSImport("createWorker", ModuleName)]
    internal static partial string? CreateWorker(int transport, int index, int generation, string configJson, string? factoryPath);

    /// <summary>
    /// Copies the payload into a fresh ArrayBuffer and queues the job; the page module posts everything queued for a
    /// worker in one message at the end of the current macrotask (a microtask), transferring the buffers.
    /// </summary>
    /// <returns><see langword="false"/> when there is no live worker (the job is lost, like postMessage to a dead worker).</returns>
    [JSImport("postJob", ModuleName)]
    internal static partial bool PostJob(int transport, int index, double id, string name, [JSMarshalAs<JSType.MemoryView>] Span<byte> payload, string? traceParent, string? traceState);

    [JSImport("postCancel", ModuleName)]
    internal static partial bool PostCancel(int transport, int index, double id);

    /// <returns>How many job payloads were transferred (<paramref name="copied"/> false) or copied (true) so far.</returns>
    [JSImport("payloadCount", ModuleName)]
    internal static partial double PayloadCount(int transport, bool copied);

    [JSImport("terminate", ModuleName)]
    internal static partial bool Terminate(int transport, int index);

    /// <summary>Every worker event ends here: ready, init-error, result, error, crash, malformed.</summary>
    [JSExport]
    internal static void OnWorkerEvent(int transport, int index, int generation, string? kind, string? id, byte[]? payload, string? errorKind, string? errorType, string? message, string? stack)
    {
        WebWorkerTransport? target;
        lock (Gate)
        {
            Transports.TryGetValue(transport, out target);
        }

        target?.OnWorkerEvent(index, generation, kind, id, payload, errorKind, errorType, message, stack);
    }

    /// <summary>
    /// The results of one worker message: <paramref name="meta"/> holds (job id, end offset in <paramref name="data"/>)
    /// pairs; the payloads lie back to back in <paramref name="data"/>.
    /// </summary>
    [JSExport]
    internal static void OnResults(int transport, int index, int generation, double[] meta, byte[] data)
    {
        WebWorkerTransport? target;
        lock (Gate)
        {
            Transports.TryGetValue(transport, out target);
        }

        target?.OnResults(index, generation, meta, data);
    }

    [JSImport("init", ModuleName)]
    private static partial Task Init(string assemblyName, string className, string workerSource);

    private static async Task ImportAsync()
    {
        await JSHost.ImportAsync(ModuleName, JsSources.PageModuleDataUrl).ConfigureAwait(false);
        await Init(typeof(PageInterop).Assembly.GetName().Name!, typeof(PageInterop).FullName!, JsSources.WorkerBootstrap).ConfigureAwait(false);
    }
}
