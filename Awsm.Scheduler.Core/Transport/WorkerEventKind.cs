namespace Awsm.Scheduler.Transport;

/// <summary>The kinds of event a transport reports about a worker.</summary>
public enum WorkerEventKind
{
    /// <summary>The worker started and can take jobs.</summary>
    Ready,

    /// <summary>The worker failed to start.</summary>
    InitError,

    /// <summary>A job finished with an output.</summary>
    Result,

    /// <summary>A job finished with an error.</summary>
    Error,

    /// <summary>The worker died (crash, script error, terminated by the transport). Its jobs fail; the pool replaces it.</summary>
    Crashed,

    /// <summary>The transport received something it could not parse. The pool logs it and drops it.</summary>
    Malformed,

    /// <summary>A running job reported progress (coalesced by the worker: the latest value wins).</summary>
    Progress,
}
