using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// Tells the conformance scenarios how to make the transport under test and what it can do. One driver per transport
/// and mode; a transport author writes one and runs <see cref="ConformanceScenarios.All"/> against it, through
/// <c>TransportConformanceTests</c> (package Awsm.Scheduler.Testing.Xunit) in xunit, or <see cref="ConformanceRunner"/> under
/// any other runner.
/// </summary>
public abstract class TransportDriver
{
    /// <summary>Gets a name for the transport and mode, used in messages.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what the transport can do; scenarios needing more are skipped, naming what is missing.</summary>
    public abstract TransportCapabilities Capabilities { get; }

    /// <summary>
    /// Gets where gated jobs and the scenario meet. The default, <see cref="GateBoard.InProcess"/>, works when workers
    /// share the scenario's process; a transport whose workers live elsewhere supplies a board that crosses its boundary.
    /// </summary>
    public virtual GateBoard Gates => GateBoard.InProcess;

    /// <summary>Gets the bound on every wait of a scenario: a scenario that cannot end fails instead of hanging.</summary>
    /// <value>The default is 30 seconds.</value>
    public virtual TimeSpan HangGuard => TimeSpan.FromSeconds(30);

    /// <summary>
    /// Creates a new, uninitialized transport for one pool. The scenarios wrap it in a <see cref="FaultInjectingTransport"/>,
    /// and the pool owns and disposes it.
    /// </summary>
    /// <returns>The transport.</returns>
    public abstract IWorkerTransport CreateTransport();

    /// <summary>
    /// Creates the registry the dispatching side uses. The worker side must register the same jobs
    /// (<see cref="ConformanceJobs.Register"/>).
    /// </summary>
    /// <returns>A registry holding the conformance jobs.</returns>
    public virtual JobRegistry CreateRegistry() => ConformanceJobs.Register(new JobRegistry(), Gates);

    /// <summary>
    /// Counts the worker resources (threads, processes, browser workers) of a transport made by
    /// <see cref="CreateTransport"/> that are still alive, across incarnations. Called only when
    /// <see cref="Capabilities"/> include <see cref="TransportCapabilities.CountsLiveWorkers"/>.
    /// </summary>
    /// <param name="transport">A transport made by <see cref="CreateTransport"/> (not the decorator around it).</param>
    /// <returns>The number still alive.</returns>
    /// <exception cref="NotSupportedException">The driver cannot count them.</exception>
    public virtual int CountLiveWorkers(IWorkerTransport transport) =>
        throw new NotSupportedException($"Driver '{Name}' does not count live workers; do not declare {nameof(TransportCapabilities.CountsLiveWorkers)}.");

    /// <inheritdoc />
    public override string ToString() => Name;
}
