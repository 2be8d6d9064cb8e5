namespace Awsm.Scheduler.Transport;

/// <summary>
/// The seam between the pool and the place workers live: threads in this process, browser Web Workers, or
/// anything else that can start a worker, carry envelopes to it and report what it says.
/// </summary>
/// <remarks>
/// <para>Contract every transport honours (the pool's <see cref="WorkerEventWriter"/> enforces the parts marked *, so a
/// transport that slips is filtered, not trusted):</para>
/// <list type="bullet">
/// <item>Workers are addressed by a stable index in <c>[0, WorkerCount)</c>; a respawned worker reuses its index and gets a new
/// incarnation number from the pool (<see cref="StartWorkerAsync"/>).</item>
/// <item>Everything a worker says goes to <see cref="WorkerTransportContext.Writer"/>, tagged with the incarnation that said
/// it. There is no other way back.</item>
/// <item>After <see cref="StartWorkerAsync"/>, the transport reports at most one of <see cref="WorkerEventKind.Ready"/>,
/// <see cref="WorkerEventKind.InitError"/> or <see cref="WorkerEventKind.Crashed"/> for that start (*). It may report none:
/// a worker nobody picks up (a Redis slot no host claims) says nothing, and the pool's start timeout
/// (<see cref="WorkerPoolOptions.StartTimeout"/>) ends the start and terminates the worker.</item>
/// <item>A worker that dies after it was ready reports <see cref="WorkerEventKind.Crashed"/> once; nothing it says
/// afterwards is heard (*), nor anything from an incarnation the pool terminated or replaced (*). Replies written before
/// the crash are kept.</item>
/// <item>Whatever arrives that cannot be parsed is reported as <see cref="WorkerEventKind.Malformed"/>, never thrown.</item>
/// <item>Worker-side, the transport hosts a <see cref="WorkerJobRuntime"/> over the same <see cref="JobRegistry"/> contents.</item>
/// </list>
/// <para>A decorator derives from <see cref="DelegatingWorkerTransport"/>.</para>
/// </remarks>
public interface IWorkerTransport : IAsyncDisposable
{
    /// <summary>
    /// Gets a value indicating whether inputs and outputs must be encoded by their codecs (the transport crosses a
    /// boundary) or may travel by reference.
    /// </summary>
    bool RequiresEncodedPayloads { get; }

    /// <summary>Prepares the transport. Called once, before any worker starts.</summary>
    /// <param name="context">What the transport needs from the pool.</param>
    /// <param name="cancellationToken">Cancels the preparation.</param>
    /// <returns>A task that completes when the transport can start workers.</returns>
    ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Starts (or restarts) the worker at <paramref name="workerIndex"/> as its incarnation <paramref name="incarnation"/>.
    /// Readiness is reported through <see cref="WorkerTransportContext.Writer"/>, tagged with that number.
    /// </summary>
    /// <param name="workerIndex">The worker's index.</param>
    /// <param name="incarnation">
    /// The pool's number for this start, greater than every earlier one at this index. Everything this incarnation says is
    /// written with it; the writer then drops what an older incarnation still says.
    /// </param>
    /// <param name="cancellationToken">Cancels the start request.</param>
    /// <returns>A task that completes when the start has been requested (not when the worker is ready).</returns>
    ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken);

    /// <summary>Sends an envelope to a worker. Must not block on the worker.</summary>
    /// <remarks>
    /// The pool calls it from any thread, never under a lock of its own, and for different jobs at the same time: it
    /// must be thread-safe. Envelopes to one worker must reach it in the order their calls returned (a job's cancel is
    /// sent only after the call that sent the job returned). The pool holds the job as "being sent" until this returns,
    /// so a reply to the job must not be delivered synchronously on the calling thread before it returns.
    /// </remarks>
    /// <param name="workerIndex">The worker's index.</param>
    /// <param name="message">The envelope.</param>
    /// <exception cref="TransportException">The envelope could not be sent.</exception>
    void Send(int workerIndex, in WorkerMessage message);

    /// <summary>
    /// Stops the worker at once, whatever it is doing. Reports nothing: the pool asked for it, and
    /// no longer hears the stopped incarnation.
    /// </summary>
    /// <param name="workerIndex">The worker's index.</param>
    /// <returns>A task that completes when the worker is stopped.</returns>
    ValueTask TerminateWorkerAsync(int workerIndex);
}
