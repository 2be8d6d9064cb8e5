namespace Awsm.Scheduler.Transport;

/// <summary>
/// The one way back from a transport to its pool: everything a worker says (ready, init error, result, error,
/// progress, crash, something malformed) is written here, tagged with the incarnation the pool named when it started the
/// worker (<see cref="IWorkerTransport.StartWorkerAsync"/>). The pool hands it over in
/// <see cref="WorkerTransportContext.Writer"/>.
/// </summary>
/// <remarks>
/// <para>The pool's writer enforces the transport contract, so a transport need not:</para>
/// <list type="bullet">
/// <item>Only the worker's current incarnation is heard: an event tagged with an older (replaced) incarnation is dropped.</item>
/// <item>A start has at most one outcome: <see cref="WorkerEventKind.Ready"/>, <see cref="WorkerEventKind.InitError"/>
/// or <see cref="WorkerEventKind.Crashed"/>. After <see cref="WorkerEventKind.Ready"/> the incarnation may still report one
/// <see cref="WorkerEventKind.Crashed"/>; a second ready or an init error after ready is dropped.</item>
/// <item>Once an incarnation has crashed, failed to start, or was lost by the pool (a start timeout, a terminate), nothing
/// more it says is heard. Results and errors written before its crash are kept: they were delivered when written.</item>
/// </list>
/// <para>Results, errors and progress are handled on the calling thread, before <see cref="TryWrite"/> returns (the
/// caller of the job resumes asynchronously, elsewhere): call it from a thread that may run a little pool code, never
/// from inside <see cref="IWorkerTransport.Send"/> for the job being sent. Ready, init errors and crashes are queued to the pool's
/// one ordered inbox and handled there, in the order they were accepted. A worker's replies must be written before its
/// crash. The writer is thread-safe and never throws for what a worker says.</para>
/// <para>A decorator transport may wrap the writer it is given (see <see cref="DelegatingWorkerTransport"/>).</para>
/// </remarks>
public abstract class WorkerEventWriter
{
    /// <summary>Initializes a writer; a decorator's writer usually holds the one it passes events on to.</summary>
    protected WorkerEventWriter()
    {
    }

    /// <summary>Reports an event from the incarnation <paramref name="incarnation"/> of the worker <see cref="WorkerEvent.WorkerIndex"/>.</summary>
    /// <param name="incarnation">The number the pool passed to <see cref="IWorkerTransport.StartWorkerAsync"/> for the start this event belongs to.</param>
    /// <param name="workerEvent">What the worker said.</param>
    /// <returns>
    /// <see langword="true"/> if the pool accepted it; <see langword="false"/> if it was dropped (an old or dead
    /// incarnation, a second outcome for one start, an index outside the pool, a stopped pool).
    /// </returns>
    public abstract bool TryWrite(int incarnation, in WorkerEvent workerEvent);
}
