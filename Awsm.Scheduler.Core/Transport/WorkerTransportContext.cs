using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Transport;

/// <summary>What a transport gets from the pool when it is initialized.</summary>
/// <param name="PoolName">The pool's name, for logs and diagnostics.</param>
/// <param name="WorkerCount">How many worker slots the pool has.</param>
/// <param name="Registry">The job registry; in-process transports share it with their workers.</param>
/// <param name="TimeProvider">The clock every timer must use.</param>
/// <param name="LoggerFactory">The logger factory.</param>
/// <param name="Services">The application's service provider, offered to jobs through <see cref="JobContext.Services"/>.</param>
public sealed record WorkerTransportContext(
    string PoolName,
    int WorkerCount,
    JobRegistry Registry,
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    IServiceProvider? Services)
{
    /// <summary>
    /// Gets where the transport reports everything its workers say, each event tagged with the incarnation it comes from
    /// (see <see cref="WorkerEventWriter"/> for the rules it enforces).
    /// </summary>
    public required WorkerEventWriter Writer { get; init; }

    /// <summary>
    /// Gets a shortcut for <see cref="WorkerEventKind.Result"/> and <see cref="WorkerEventKind.Error"/> events: a transport
    /// may hand a reply to it instead of writing it to <see cref="IWorkerTransport.Events"/>, and the pool completes the
    /// job on the calling thread (its caller resumes asynchronously, elsewhere). It saves a thread hop per job for
    /// transports whose replies arrive on a thread that may run a little pool code, such as in-process workers.
    /// Other events still go through <see cref="IWorkerTransport.Events"/>; a worker's replies must be delivered
    /// before its crash is reported. <see langword="null"/> when the pool offers no shortcut.
    /// </summary>
    public Action<WorkerEvent>? ReplySink { get; init; }
}
