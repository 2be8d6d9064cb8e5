namespace Awsm.Scheduler.Testing;

/// <summary>
/// What a transport under test can do, as its <see cref="TransportDriver"/> declares it. A conformance scenario that
/// needs a capability the driver lacks is skipped with a reason naming it, never passed.
/// </summary>
[Flags]
public enum TransportCapabilities
{
    /// <summary>Nothing beyond the transport contract.</summary>
    None = 0,

    /// <summary>
    /// Payloads cross a boundary through their codecs (<see cref="Transport.IWorkerTransport.RequiresEncodedPayloads"/>):
    /// the codec-failure scenarios apply.
    /// </summary>
    EncodesPayloads = 1,

    /// <summary>
    /// The pool may run on a <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>: timeouts, respawn backoff and
    /// start timeouts are driven by the scenario instead of a real clock.
    /// </summary>
    FakeTime = 2,

    /// <summary>The transport can run two workers at once: crash isolation, strategies and wrong-worker scenarios.</summary>
    ManyWorkers = 4,

    /// <summary>
    /// <see cref="TransportDriver.CountLiveWorkers"/> reports the worker resources (threads, processes, browser
    /// workers) still alive, so scenarios prove that stopping or a failed start leaves none behind.
    /// </summary>
    CountsLiveWorkers = 8,

    /// <summary>
    /// Terminating a worker leaves the code it runs going until that code observes its cancellation token: the workers
    /// are threads of this process, or hosts in other processes that outlive the pool's hold on them, and nothing can
    /// stop a job there but its token. The transport must then fire the token of every job running on a worker it
    /// terminates, and the abort scenario asserts that the running job's token fired, beside (with
    /// <see cref="CountsLiveWorkers"/>) that no worker is left alive. Not for a transport whose terminate ends the
    /// job's code outright (a terminated browser Web Worker runs nothing more, so no token is left to fire): there the
    /// abort scenario asserts only that no worker is left. A driver that declares neither flag must show the token.
    /// </summary>
    JobsOutliveTermination = 16,
}
