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

    /// <returns>1 when the payload buffer was transferred (detached), 0 when copied, -1 when there is no live worker.</returns>
    [JSImport("postJob", ModuleName)]
    internal static partial int PostJob(int transport, int index, string id, string name, [JSMarshalAs<JSType.MemoryView>] Span<byte> payload, string? traceParent, string? traceState);

    [JSImport("postCancel", ModuleName)]
    internal static partial bool PostCancel(int transport, int index, string id);

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

    [JSImport("init", ModuleName)]
    private static partial Task Init(string assemblyName, string className, string workerSource);

    private static async Task ImportAsync()
    {
        await JSHost.ImportAsync(ModuleName, JsSources.PageModuleDataUrl).ConfigureAwait(false);
        await Init(typeof(PageInterop).Assembly.GetName().Name!, typeof(PageInterop).FullName!, JsSources.WorkerBootstrap).ConfigureAwait(false);
    }
}
