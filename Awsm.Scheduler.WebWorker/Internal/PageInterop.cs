using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// The page module (wwwroot/page.js), imported from a data: URL, or from its same-origin copy when the page's policy refuses
/// that (or same-origin scripts are asked for). Thin: the translation lives in <see cref="PageEvents"/>, the rules in the pool's writer.
/// </summary>
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
    /// <param name="sameOrigin">Import the same-origin copy rather than try the data: URL first.</param>
    public static Task EnsureImportedAsync(bool sameOrigin)
    {
        lock (Gate)
        {
            return s_import is { IsFaulted: false, IsCanceled: false } ? s_import : s_import = ImportAsync(sameOrigin);
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

    /// <summary>Gets whether the page module is imported (a [JSImport] into it is safe).</summary>
    public static bool IsImported => s_import is { IsCompletedSuccessfully: true };

    /// <returns>The longest synchronous chunk the page module ran in a task of its own so far, in milliseconds.</returns>
    [JSImport("longestChunkMs", ModuleName)]
    internal static partial double LongestChunkMs();

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
    private static partial Task Init(string assemblyName, string className, string workerSource, string sameOriginWorkerUrl, bool strictPolicy);

    private static async Task ImportAsync(bool sameOrigin)
    {
        using JSObject document = JSHost.GlobalThis.GetPropertyAsJSObject("document")
            ?? throw new JSException("there is no document: the WebWorker transport runs on a page");
        var folder = new Uri(new Uri(document.GetPropertyAsString("baseURI")!), JsSources.SameOriginFolder);
        string pageUrl = new Uri(folder, "page.js").AbsoluteUri;
        bool strict = sameOrigin || !await DataUrlsAllowedAsync().ConfigureAwait(false);
        try
        {
            await JSHost.ImportAsync(ModuleName, strict ? pageUrl : JsSources.PageModuleDataUrl).ConfigureAwait(false);
        }
        catch (JSException ex) when (strict)
        {
            throw new JSException(
                $"importing {pageUrl}, the same-origin copy of the page module, failed ({ex.Message}); it is used "
                + (sameOrigin ? "because UseSameOriginScripts is set" : "because the page's Content-Security-Policy refuses data: scripts")
                + $": is {JsSources.SameOriginFolder} published and served as JavaScript?");
        }

        await Init(typeof(PageInterop).Assembly.GetName().Name!, typeof(PageInterop).FullName!, JsSources.WorkerBootstrap, new Uri(folder, "worker.js").AbsoluteUri, strict).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the page's Content-Security-Policy lets it import a data: module, tried with an empty one under its own name:
    /// the runtime remembers a failed import by module name, so the page module's own name must not be spent on the probe.
    /// A policy that refuses data: scripts refuses blob: workers too: then everything comes from the app's own origin.
    /// </summary>
    private static async Task<bool> DataUrlsAllowedAsync()
    {
        try
        {
            await JSHost.ImportAsync("awsm-webworker-probe", "data:text/javascript;charset=utf-8,export%20%7B%7D%3B").ConfigureAwait(false);
            return true;
        }
        catch (JSException)
        {
            return false;
        }
    }
}
