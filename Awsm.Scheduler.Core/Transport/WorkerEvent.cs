namespace Awsm.Scheduler.Transport;

/// <summary>An event from a worker, reported by the transport through <see cref="WorkerEventWriter.TryWrite"/>.</summary>
public readonly struct WorkerEvent
{
    private WorkerEvent(
        WorkerEventKind kind,
        int workerIndex,
        JobId jobId = default,
        JobPayload payload = default,
        JobErrorKind errorKind = default,
        string? errorType = null,
        string? message = null,
        string? remoteStackTrace = null)
    {
        Kind = kind;
        WorkerIndex = workerIndex;
        JobId = jobId;
        Payload = payload;
        ErrorKind = errorKind;
        ErrorType = errorType;
        Message = message;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Gets the kind of event.</summary>
    public WorkerEventKind Kind { get; }

    /// <summary>Gets the index of the worker the event is about.</summary>
    public int WorkerIndex { get; }

    /// <summary>Gets the job's id, for <see cref="WorkerEventKind.Result"/>, <see cref="WorkerEventKind.Error"/> and <see cref="WorkerEventKind.Progress"/>.</summary>
    public JobId JobId { get; }

    /// <summary>Gets the output, for <see cref="WorkerEventKind.Result"/>; the progress value, for <see cref="WorkerEventKind.Progress"/>.</summary>
    public JobPayload Payload { get; }

    /// <summary>Gets what kind of error, for <see cref="WorkerEventKind.Error"/>.</summary>
    public JobErrorKind ErrorKind { get; }

    /// <summary>Gets the remote exception type (or, for serialization errors, the type that failed).</summary>
    public string? ErrorType { get; }

    /// <summary>Gets the error message, init-error reason, crash reason or malformed-message description.</summary>
    public string? Message { get; }

    /// <summary>Gets the remote stack trace, for <see cref="WorkerEventKind.Error"/>.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>The worker is ready for jobs.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent Ready(int workerIndex) => new(WorkerEventKind.Ready, workerIndex);

    /// <summary>The worker failed to start.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent InitError(int workerIndex, string reason) => new(WorkerEventKind.InitError, workerIndex, message: reason);

    /// <summary>A job finished with an output.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="output">The output.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent Result(int workerIndex, JobId jobId, JobPayload output) => new(WorkerEventKind.Result, workerIndex, jobId, output);

    /// <summary>A job finished with an error.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="errorKind">What kind of error.</param>
    /// <param name="errorType">The remote exception type, or the type that failed to serialize.</param>
    /// <param name="message">The message.</param>
    /// <param name="remoteStackTrace">The remote stack trace, if any.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent Error(int workerIndex, JobId jobId, JobErrorKind errorKind, string errorType, string message, string? remoteStackTrace) =>
        new(WorkerEventKind.Error, workerIndex, jobId, default, errorKind, errorType, message, remoteStackTrace);

    /// <summary>The worker died.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="reason">Why, as the transport knows it.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent Crashed(int workerIndex, string reason) => new(WorkerEventKind.Crashed, workerIndex, message: reason);

    /// <summary>Something unparseable arrived from the worker.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="description">What was wrong with it.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent Malformed(int workerIndex, string description) => new(WorkerEventKind.Malformed, workerIndex, message: description);

    /// <summary>A running job reported progress.</summary>
    /// <param name="workerIndex">The worker.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="progress">The progress value, encoded like the job's output.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent Progress(int workerIndex, JobId jobId, JobPayload progress) => new(WorkerEventKind.Progress, workerIndex, jobId, progress);
}
