namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// The JS halves of the transport (wwwroot/page.js, wwwroot/worker.js): embedded in this assembly as resources, and also
/// shipped as static web assets under <see cref="SameOriginFolder"/> for pages whose Content-Security-Policy refuses
/// <c>data:</c> modules and <c>blob:</c> workers.
/// </summary>
internal static class JsSources
{
    /// <summary>Where the static web asset copies are served, relative to the page's base URI.</summary>
    public const string SameOriginFolder = "_content/Awsm.Scheduler.WebWorker/";

    private static string? s_page;
    private static string? s_worker;

    public static string PageModule => s_page ??= Read("Awsm.Scheduler.WebWorker.page.js");

    public static string WorkerBootstrap => s_worker ??= Read("Awsm.Scheduler.WebWorker.worker.js");

    /// <summary>Gets a URL that <c>JSHost.ImportAsync</c> can import without any file being served.</summary>
    public static string PageModuleDataUrl => "data:text/javascript;charset=utf-8," + Uri.EscapeDataString(PageModule);

    private static string Read(string name)
    {
        using Stream stream = typeof(JsSources).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {typeof(JsSources).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
