namespace Awsm.Scheduler.WebWorker;

/// <summary>Settings of a <see cref="WebWorkerTransport"/>. Setters validate at once.</summary>
public sealed class WebWorkerTransportOptions
{
    private string? _workerFactory;

    /// <summary>
    /// Gets or sets the URL (absolute, or relative to the page's base URI) of the app's <c>dotnet.js</c> that workers import;
    /// <see langword="null"/> to discover it: the page's import map entry for <c>_framework/dotnet.js</c> (fingerprinted
    /// Blazor builds), then the <c>dotnet.js</c> the page loaded, then <c>&lt;base&gt;/_framework/dotnet.js</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/> (discover).</value>
    public string? DotnetUrl { get; set; }

    /// <summary>
    /// Gets or sets the dotted path on <c>globalThis</c> of a JS function that creates each worker instead of
    /// <c>new Worker(blobUrl, { type: 'module' })</c>; <see langword="null"/> for the default. It is called with
    /// <c>{ index, name, url, source, options }</c> (<c>url</c>: a Blob URL of <see cref="WebWorkerTransport.BootstrapScript"/>,
    /// <c>source</c>: the script itself) and must return a module <c>Worker</c> running that script, for example one created from
    /// a same-origin copy when the page's Content-Security-Policy forbids <c>blob:</c> workers.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? WorkerFactory
    {
        get => _workerFactory;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(WorkerFactory));
            }

            _workerFactory = value;
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether the page hands each new worker the runtime resources it already fetched
    /// (native wasm, assemblies, ICU data) so that the worker does not load them again. The worker's runtime then starts
    /// about 50 ms sooner (its <c>create()</c> drops from ~105 to ~55 ms on 2 cores, the first worker included). The page
    /// re-reads them once as Blobs and posts each worker handles to them, so nothing is copied on the page's thread per
    /// worker. If the page cannot read them, the worker loads them itself.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool HandOverResources { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the page module and the worker bootstrap load from the app's own origin,
    /// <c>_content/Awsm.Scheduler.WebWorker/page.js</c> and <c>worker.js</c> (static web assets of this package, published
    /// with the app), instead of a <c>data:</c> URL and a Blob URL. Either way, a page whose Content-Security-Policy refuses
    /// the <c>data:</c> module or a <c>blob:</c> worker switches to those files by itself, so
    /// <c>script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'</c> works; set this to skip the one refused attempt (and
    /// its console report) on such pages.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool UseSameOriginScripts { get; set; }

}
