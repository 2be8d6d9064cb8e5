namespace Awsm.Scheduler.WebWorker;

/// <summary>Settings of a <see cref="WebWorkerTransport"/>. Setters validate at once.</summary>
public sealed class WebWorkerTransportOptions
{
    private TimeSpan _startTimeout = WorkerPoolDefaults.StartTimeout;
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
    /// about 50 ms sooner (its <c>create()</c> drops from ~105 to ~55 ms on 2 cores, the first worker included), at the cost
    /// of one copy of those bytes (a few MB, transient) per start. If the page cannot read them, the worker loads them itself.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool HandOverResources { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a worker may take from creation to ready, for first starts and respawns alike; a worker
    /// that takes longer is terminated and reported as an init error. Use the pool's <see cref="WorkerPoolOptions.StartTimeout"/>
    /// (<c>UseWebWorkerTransport</c> does). Failures the worker can see (a 404 or wrong MIME type for dotnet.js, a
    /// script or runtime error) are reported at once, with the URL and the reason.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan StartTimeout
    {
        get => _startTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(StartTimeout));
            _startTimeout = value;
        }
    }
}
