namespace Awsm.Scheduler.Transport;

/// <summary>An envelope from the host to a worker: a job to run, or a job to cancel.</summary>
public readonly struct WorkerMessage
{
    private WorkerMessage(WorkerMessageKind kind, JobId jobId, string? jobName, JobPayload payload, string? traceParent, string? traceState)
    {
        Kind = kind;
        JobId = jobId;
        JobName = jobName;
        Payload = payload;
        TraceParent = traceParent;
        TraceState = traceState;
    }

    /// <summary>Gets the kind of envelope.</summary>
    public WorkerMessageKind Kind { get; }

    /// <summary>Gets the job's id (how it travels depends on the transport: see <c>docs/wire.md</c>).</summary>
    public JobId JobId { get; }

    /// <summary>Gets the job's name; set for <see cref="WorkerMessageKind.Job"/>.</summary>
    public string? JobName { get; }

    /// <summary>Gets the encoded or by-reference input; set for <see cref="WorkerMessageKind.Job"/>.</summary>
    public JobPayload Payload { get; }

    /// <summary>Gets the W3C <c>traceparent</c> of the dispatching activity, if any.</summary>
    public string? TraceParent { get; }

    /// <summary>Gets the W3C <c>tracestate</c> of the dispatching activity, if any.</summary>
    public string? TraceState { get; }

    /// <summary>Creates a job envelope.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="jobName">The job's name.</param>
    /// <param name="payload">The input.</param>
    /// <param name="traceParent">The W3C traceparent, if any.</param>
    /// <param name="traceState">The W3C tracestate, if any.</param>
    /// <returns>The envelope.</returns>
    public static WorkerMessage Job(JobId jobId, string jobName, JobPayload payload, string? traceParent = null, string? traceState = null) =>
        new(WorkerMessageKind.Job, jobId, jobName, payload, traceParent, traceState);

    /// <summary>Creates a cancel envelope.</summary>
    /// <param name="jobId">The job to cancel.</param>
    /// <returns>The envelope.</returns>
    public static WorkerMessage Cancel(JobId jobId) => new(WorkerMessageKind.Cancel, jobId, null, default, null, null);
}
