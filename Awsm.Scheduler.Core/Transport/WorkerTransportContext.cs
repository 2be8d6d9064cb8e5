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
}
