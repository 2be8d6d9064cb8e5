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

    /// <summary>
    /// Gets or sets a value indicating whether the page compiles the runtime's <c>dotnet.native.wasm</c> once, from the
    /// bytes it already holds (checked against the app's integrity hash), and posts the compiled <c>WebAssembly.Module</c>
    /// to each new worker, whose runtime then instantiates it instead of compiling the wasm again. The worker answers its
    /// runtime's compile of that one file with the posted module and leaves every other compile alone. If the browser
    /// cannot post a module, the page cannot compile it, or the runtime loads its wasm another way, the worker compiles
    /// it itself as without this option: slower, never broken. Each worker reports which happened in
    /// <see cref="WebWorkerTransport.GetStartTimings"/> (<c>moduleShared</c>, and <c>moduleNote</c> saying why when it is
    /// <see langword="false"/>). Set this to <see langword="false"/> to have every worker compile its own copy, for
    /// example to compare start times.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ShareCompiledModule { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the pool's workers start early and one at a time. A pool registered with
    /// <c>UseWebWorkerTransport</c> then starts as soon as it is created (the first time it is resolved, for example by the
    /// first component that injects <see cref="IWorkerPool"/> when the page loads) instead of on its first dispatch. Either
    /// way (also for a pool created without DI, whose <see cref="IWorkerPool.StartAsync"/> the app calls itself) its workers
    /// are created one after another: the first at once, each next one when the one before it is ready or has failed, so
    /// at most one of its runtimes starts at a time and the page keeps a core for its frames. Jobs dispatched meanwhile
    /// go to the workers that are ready. A failed early start is logged, and the pool's later dispatches see it.
    /// </summary>
    /// <value>The default is <see langword="false"/> (the pool starts on its first dispatch or <c>StartAsync</c>, all workers together).</value>
    public bool StartEarly { get; set; }
}
