namespace Awsm.Scheduler.Transport;

/// <summary>
/// A transport that passes every call to another one: the base of decorators (fault injection, a recording spy), which
/// override only what they change. To see or change what the workers say, override <see cref="WrapWriter"/>.
/// </summary>
/// <remarks>The decorator owns the inner transport: disposing it disposes the inner one.</remarks>
public abstract class DelegatingWorkerTransport : IWorkerTransport
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The transport every call goes to unless overridden.</param>
    protected DelegatingWorkerTransport(IWorkerTransport inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>Gets the wrapped transport.</summary>
    public IWorkerTransport Inner { get; }

    /// <inheritdoc />
    public virtual bool RequiresEncodedPayloads => Inner.RequiresEncodedPayloads;

    /// <inheritdoc />
    /// <remarks>Hands the inner transport the same context, with the writer returned by <see cref="WrapWriter"/>.</remarks>
    public virtual ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        WorkerEventWriter writer = WrapWriter(context.Writer);
        return Inner.InitializeAsync(ReferenceEquals(writer, context.Writer) ? context : context with { Writer = writer }, cancellationToken);
    }

    /// <inheritdoc />
    public virtual ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken) =>
        Inner.StartWorkerAsync(workerIndex, incarnation, cancellationToken);

    /// <inheritdoc />
    public virtual void Send(int workerIndex, in WorkerMessage message) => Inner.Send(workerIndex, in message);

    /// <inheritdoc />
    public virtual ValueTask TerminateWorkerAsync(int workerIndex) => Inner.TerminateWorkerAsync(workerIndex);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Called once by <see cref="InitializeAsync"/> with the pool's writer: returns the writer the inner transport reports
    /// to. The default returns <paramref name="writer"/> itself; a decorator returns its own, which passes events on to it.
    /// </summary>
    /// <param name="writer">The pool's writer (or the next decorator's).</param>
    /// <returns>The writer for the inner transport.</returns>
    protected virtual WorkerEventWriter WrapWriter(WorkerEventWriter writer) => writer;

    /// <summary>Releases the decorator's own resources, then disposes the inner transport.</summary>
    /// <returns>A task that completes when both are released.</returns>
    protected virtual ValueTask DisposeAsyncCore() => Inner.DisposeAsync();
}
