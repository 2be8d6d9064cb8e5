using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Awsm.Scheduler.Samples.Browser.Conformance;

/// <summary>
/// The conformance module (Conformance/conformance.js, embedded), imported from a data: URL on the page and in every
/// worker: a <c>BroadcastChannel</c> for the gates, and (page only) Web Worker counters behind a WorkerFactory.
/// </summary>
[SupportedOSPlatform("browser")]
internal static partial class ConformanceJs
{
    private const string ModuleName = "awsm-sample-conformance";
    private const string ResourceName = "Awsm.Scheduler.Samples.Browser.conformance.js";

    private static readonly Lock Gate = new();
    private static Task? s_import;

    /// <summary>Imports the module once per runtime; every [JSImport] below must come after it.</summary>
    public static Task EnsureImportedAsync()
    {
        lock (Gate)
        {
            return s_import is { IsFaulted: false, IsCanceled: false } ? s_import : s_import = JSHost.ImportAsync(ModuleName, DataUrl());
        }
    }

    /// <summary>Opens this runtime's gate channel; <paramref name="onMessage"/> gets (type, key, worker or -1).</summary>
    [JSImport("openGates", ModuleName)]
    internal static partial void OpenGates(string name, [JSMarshalAs<JSType.Function<JSType.String, JSType.String, JSType.Number>>] Action<string, string, int> onMessage);

    [JSImport("postGate", ModuleName)]
    internal static partial void PostGate(string type, string key, int worker);

    /// <summary>Makes a WorkerFactory that counts its live workers; returns its id (the factory is <c>awsmConformanceWorkers.f{id}</c>).</summary>
    [JSImport("newWorkerCounter", ModuleName)]
    internal static partial int NewWorkerCounter();

    /// <summary>Workers the counter's factory made that were not terminated yet; -1 for an unknown counter.</summary>
    [JSImport("liveWorkers", ModuleName)]
    internal static partial int LiveWorkers(int id);

    [JSImport("forgetWorkerCounter", ModuleName)]
    internal static partial void ForgetWorkerCounter(int id);

    private static string DataUrl()
    {
        using Stream stream = typeof(ConformanceJs).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return "data:text/javascript;charset=utf-8," + Uri.EscapeDataString(reader.ReadToEnd());
    }
}
