using System.Runtime.InteropServices;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json;
using Awsm.Scheduler.Transport;
using Awsm.Scheduler.WebWorker.Internal;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.WebWorker;

/// <summary>
/// Runs each worker as a browser module Web Worker with its own .NET runtime: the worker imports the app's
/// <c>dotnet.js</c>, runs the app's <c>Main</c>, which calls <see cref="WebWorkerHost.RunAsync"/> with the same job
/// registrations as the page. Payloads travel as encoded bytes in ArrayBuffers that are transferred, not copied, in
/// both directions (never base64).
/// </summary>
/// <remarks>
/// <para>Use it on the page of a .NET WebAssembly app (<c>Microsoft.NET.Sdk.WebAssembly</c> or Blazor WebAssembly).</para>
/// <para>A worker's <c>error</c> or <c>messageerror</c> event reports it crashed (only its jobs fail; the pool replaces it);
/// anything unparseable it posts is reported as malformed (the pool logs and drops it). A worker that cannot start reports
/// an init error naming the URL and the reason: HTTP status, wrong MIME type, script error, runtime error, or a
/// Content-Security-Policy that refuses <c>blob:</c> workers.</para>
/// </remarks>
[SupportedOSPlatform("browser")]
public sealed class WebWorkerTransport : IWorkerTransport
{
    private static int s_nextId;

    private readonly WebWorkerTransportOptions _options;
    private readonly int _id = Interlocked.Increment(ref s_nextId);
    private readonly Lock _gate = new();
    private WorkerTransportContext? _context;
    private WorkerEventWriter? _writer;
    private int _workerCount;
    private string?[] _startTimings = [];
    private string _configJson = string.Empty;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private bool _disposed;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">Its settings; defaults when <see langword="null"/>.</param>
    public WebWorkerTransport(WebWorkerTransportOptions? options = null)
    {
        _options = options ?? new WebWorkerTransportOptions();
    }

    /// <summary>
    /// Gets the worker bootstrap script (a JavaScript module). A custom <see cref="WebWorkerTransportOptions.WorkerFactory"/>
    /// may serve it from a same-origin URL instead of the default Blob URL.
    /// </summary>
    public static string BootstrapScript => JsSources.WorkerBootstrap;

    /// <inheritdoc />
    /// <value>Always <see langword="true"/>: payloads cross into another runtime.</value>
    public bool RequiresEncodedPayloads => true;

    /// <summary>Gets the absolute URL of the <c>dotnet.js</c> workers import; <see langword="null"/> before initialization.</summary>
    public string? DotnetUrl { get; private set; }

    // Measurement hooks, internal: the browser samples' e2e and bench hooks and the tests read them (InternalsVisibleTo);
    // an app has its own telemetry (SchedulerTelemetry) and no use for transport counters.

    /// <summary>Gets how many job payloads were transferred to workers (their page-side buffer detached, zero-copy).</summary>
    internal long TransferredPayloads => PayloadCount(copied: false);

    /// <summary>Gets how many job payloads had to be copied instead of transferred (expected to stay zero).</summary>
    internal long CopiedPayloads => PayloadCount(copied: true);

    /// <summary>
    /// Gets the longest synchronous piece of work the transport's page module ran on the page's main thread in a task of
    /// its own so far (creating a worker, posting its init message, posting a batch of jobs, handling a worker's message
    /// with the handlers it calls), for every WebWorker transport of this page (they share one page module);
    /// <see cref="TimeSpan.Zero"/> before any transport was initialized. A diagnostic: how long the transport can keep
    /// the page from rendering a frame.
    /// </summary>
    internal static TimeSpan LongestPageChunk => PageInterop.IsImported ? TimeSpan.FromMilliseconds(PageInterop.LongestChunkMs()) : TimeSpan.Zero;

    /// <summary>
    /// Gets the start timings the worker at <paramref name="workerIndex"/> reported with its last ready, as JSON
    /// (<c>startMs</c> from creation to ready as seen by the page; in the worker <c>importMs</c> for dotnet.js,
    /// <c>createMs</c> for the runtime, <c>exportsMs</c> for binding this library's exports, <c>mainMs</c> from there to
    /// ready, split into <c>appMainMs</c> (the app's <c>Main</c> until it called <see cref="WebWorkerHost.RunAsync"/>) and
    /// <c>hostMs</c> (RunAsync until ready); <c>toPageMs</c>, <c>resourcesHandedOver</c>, <c>servedFromHandover</c>; <c>moduleShared</c>: whether the runtime
    /// instantiated the module the page compiled (<see cref="WebWorkerTransportOptions.ShareCompiledModule"/>), else
    /// <c>moduleNote</c> says why it compiled its own; <c>queuedMs</c>, <c>createdAtMs</c>, <c>readyAtMs</c>);
    /// <see langword="null"/> before it was ready once.
    /// </summary>
    /// <param name="workerIndex">The worker's index.</param>
    /// <returns>The timings, or <see langword="null"/>.</returns>
    public string? GetStartTimings(int workerIndex)
    {
        lock (_gate)
        {
            return (uint)workerIndex < (uint)_startTimings.Length ? _startTimings[workerIndex] : null;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_context is not null)
            {
                throw new InvalidOperationException("The transport is already initialized; each pool needs its own transport.");
            }

            _context = context;
        }

        _logger = context.LoggerFactory.CreateLogger("Awsm.Scheduler.WebWorker");
        try
        {
            await PageInterop.EnsureImportedAsync(_options.UseSameOriginScripts).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (JSException ex)
        {
            throw new TransportException($"The WebWorker transport could not load its page module: {ex.Message}. Is the .NET runtime running on a page (not in a worker)?", ex);
        }

        DotnetUrl = PageInterop.ResolveDotnetUrl(_options.DotnetUrl);
        Type exports = typeof(WorkerInterop);
        _configJson = JsonSerializer.Serialize(
            new WorkerConfig(DotnetUrl, exports.Assembly.GetName().Name!, exports.FullName!, _options.HandOverResources, context.PoolName, _options.UseSameOriginScripts, _options.ShareCompiledModule, _options.StartEarly),
            WebWorkerJsonContext.Default.WorkerConfig);
        lock (_gate)
        {
            _startTimings = new string?[context.WorkerCount];
            _writer = context.Writer;
            Volatile.Write(ref _workerCount, context.WorkerCount);
        }

        PageInterop.Register(_id, this);
        Log.Initialized(_logger, context.PoolName, DotnetUrl, _options.HandOverResources);
    }

    /// <inheritdoc />
    public ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WorkerEventWriter writer = Writer();
        CheckIndex(workerIndex);
        string? failure;
        try
        {
            // The page module tags everything this worker reports with the pool's incarnation number (its "generation").
            failure = PageInterop.CreateWorker(_id, workerIndex, incarnation, _configJson, _options.WorkerFactory);
        }
        catch (JSException ex)
        {
            failure = $"creating the worker failed: {ex.Message}";
        }

        if (failure is not null)
        {
            Log.CreateFailed(_logger, _context!.PoolName, workerIndex, failure);
            writer.TryWrite(incarnation, WorkerEvent.InitError(workerIndex, failure));
            return ValueTask.CompletedTask;
        }

        // No start timer here: the pool times out every start (first and respawn) and then terminates the worker.
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Send(int workerIndex, in WorkerMessage message)
    {
        if (_disposed)
        {
            throw new TransportException("The WebWorker transport is disposed.");
        }

        CheckIndex(workerIndex);
        try
        {
            if (message.Kind == WorkerMessageKind.Cancel)
            {
                PageInterop.PostCancel(_id, workerIndex, message.JobId.Value);
                return;
            }

            if (!message.Payload.IsEncoded)
            {
                throw new TransportException($"Job '{message.JobName}' ({message.JobId}) carries a by-reference payload; the WebWorker transport needs encoded bytes.");
            }

            ReadOnlySpan<byte> bytes = message.Payload.Bytes.Span;

            // MemoryView needs a Span<byte>; JS only copies out of it (slice()) during the call, so dropping readonly is safe.
            // false: no live worker. Like postMessage to a dead worker, the envelope is lost; its crash fails the job.
            PageInterop.PostJob(
                _id,
                workerIndex,
                message.JobId.Value,
                message.JobName!,
                MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length),
                message.TraceParent,
                message.TraceState);
        }
        catch (JSException ex)
        {
            throw new TransportException($"Could not post to web worker {workerIndex}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask TerminateWorkerAsync(int workerIndex)
    {
        _ = Writer();
        CheckIndex(workerIndex);
        PageInterop.Terminate(_id, workerIndex);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        bool initialized;
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            initialized = _writer is not null;
        }

        if (initialized)
        {
            for (int i = 0; i < _workerCount; i++)
            {
                PageInterop.Terminate(_id, i);
            }

            PageInterop.Unregister(_id);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Called by the page module (through <see cref="PageInterop.OnWorkerEvent"/>) for everything a worker reports.</summary>
    internal void OnWorkerEvent(int index, int generation, string? kind, string? id, byte[]? payload, string? errorKind, string? errorType, string? message, string? stack)
    {
        WorkerEventWriter? writer = _writer;
        if (writer is null || _disposed || (uint)index >= (uint)_workerCount)
        {
            return;
        }

        WorkerEvent e = PageEvents.Translate(index, kind, id, payload, errorKind, errorType, message, stack);
        if (e.Kind == WorkerEventKind.Ready)
        {
            lock (_gate)
            {
                _startTimings[index] = message;
            }

            Log.WorkerReady(_logger, _context!.PoolName, index, message ?? "{}");
        }

        // A JS event is a clean stack: a reply completes its job right here. A ready goes through the pool's inbox, in
        // a task of its own: the pool reacts to it by sending every job queued during the start, which is the first run
        // of much interpreted code, and the page can render a frame in between (workers keep starting).
        writer.TryWrite(generation, e);
    }

    /// <summary>Called by the page module (through <see cref="PageInterop.OnResults"/>) with the results of one worker message.</summary>
    internal void OnResults(int index, int generation, double[] meta, byte[] data)
    {
        WorkerEventWriter? writer = _writer;
        if (writer is null || _disposed || (uint)index >= (uint)_workerCount)
        {
            return;
        }

        int start = 0;
        for (int i = 0; i + 1 < meta.Length; i += 2)
        {
            double end = meta[i + 1];
            if (!WireIds.TryGet(meta[i], out JobId id) || !(end >= start && end <= data.Length))
            {
                writer.TryWrite(generation, WorkerEvent.Malformed(index, $"result envelope with a malformed job id '{meta[i]}' or payload end {end}"));
                continue;
            }

            // Each result completes its job here, on the page's event: the writer drops them all if the incarnation is gone.
            writer.TryWrite(generation, WorkerEvent.Result(index, id, JobPayload.FromBytes(data.AsMemory(start, (int)end - start))));
            start = (int)end;
        }
    }

    private long PayloadCount(bool copied) => _writer is null ? 0 : (long)PageInterop.PayloadCount(_id, copied);

    private WorkerEventWriter Writer() => _writer ?? throw new InvalidOperationException("The transport is not initialized.");

    private void CheckIndex(int workerIndex)
    {
        if ((uint)workerIndex >= (uint)_workerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(workerIndex), workerIndex, $"The transport has {_workerCount} worker slot(s).");
        }
    }
}
