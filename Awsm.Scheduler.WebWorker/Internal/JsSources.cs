namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>The JS halves of the transport, embedded in this assembly as resources (js/page.js, js/worker.js).</summary>
internal static class JsSources
{
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
