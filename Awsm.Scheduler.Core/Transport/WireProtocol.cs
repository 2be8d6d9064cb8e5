namespace Awsm.Scheduler.Transport;

/// <summary>
/// The transport-neutral wire vocabulary: envelope kind names, error kind names, and parsers that turn what
/// arrived from a worker into a <see cref="WorkerEvent"/> (or a <see cref="WorkerEventKind.Malformed"/> one).
/// The messages themselves, and how each transport encodes them and their job ids, are described once, in
/// <c>docs/wire.md</c>. The parsers take ids in their decimal text form.
/// </summary>
public static class WireProtocol
{
    /// <summary>Host → worker: run a job.</summary>
    public const string JobKind = "job";

    /// <summary>Host → worker: cancel a job.</summary>
    public const string CancelKind = "cancel";

    /// <summary>Worker → host: ready for jobs.</summary>
    public const string ReadyKind = "ready";

    /// <summary>Worker → host: failed to start.</summary>
    public const string InitErrorKind = "init-error";

    /// <summary>Worker → host: a job's output.</summary>
    public const string ResultKind = "result";

    /// <summary>Worker → host: a job's error.</summary>
    public const string ErrorKind = "error";

    /// <summary>Worker → host: a running job's progress value.</summary>
    public const string ProgressKind = "progress";

    /// <summary>Gets the wire name of an error kind.</summary>
    /// <param name="kind">The error kind.</param>
    /// <returns>Its wire name.</returns>
    public static string ToWire(JobErrorKind kind) => kind switch
    {
        JobErrorKind.JobFailed => "job-failed",
        JobErrorKind.UnknownJob => "unknown-job",
        JobErrorKind.InputSerialization => "input-serialization",
        JobErrorKind.OutputSerialization => "output-serialization",
        JobErrorKind.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses the wire name of an error kind.</summary>
    /// <param name="text">The wire name.</param>
    /// <param name="kind">The error kind when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names an error kind.</returns>
    public static bool TryParseErrorKind(string? text, out JobErrorKind kind)
    {
        switch (text)
        {
            case "job-failed": kind = JobErrorKind.JobFailed; return true;
            case "unknown-job": kind = JobErrorKind.UnknownJob; return true;
            case "input-serialization": kind = JobErrorKind.InputSerialization; return true;
            case "output-serialization": kind = JobErrorKind.OutputSerialization; return true;
            case "canceled": kind = JobErrorKind.Canceled; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>
    /// Turns the fields of a worker → host envelope into an event. Anything unparseable (unknown kind, missing or
    /// malformed id, unknown error kind) becomes a <see cref="WorkerEventKind.Malformed"/> event describing the problem.
    /// </summary>
    /// <param name="workerIndex">The worker the envelope came from.</param>
    /// <param name="kind">The envelope kind.</param>
    /// <param name="id">The job id as a decimal string.</param>
    /// <param name="payload">The encoded output, for results.</param>
    /// <param name="errorKind">The error kind's wire name, for errors.</param>
    /// <param name="errorType">The remote exception type, for errors.</param>
    /// <param name="message">The message, for errors and init errors.</param>
    /// <param name="stack">The remote stack trace, for errors.</param>
    /// <returns>The event.</returns>
    public static WorkerEvent ParseEvent(
        int workerIndex,
        string? kind,
        string? id,
        ReadOnlyMemory<byte> payload,
        string? errorKind = null,
        string? errorType = null,
        string? message = null,
        string? stack = null)
    {
        switch (kind)
        {
            case ReadyKind:
                return WorkerEvent.Ready(workerIndex);
            case InitErrorKind:
                return WorkerEvent.InitError(workerIndex, message ?? "the worker reported an init error without a reason");
            case ResultKind or ErrorKind or ProgressKind when !JobId.TryParse(id, out _):
                return WorkerEvent.Malformed(workerIndex, $"'{kind}' envelope with a missing or malformed job id '{Truncate(id)}'");
            case ResultKind:
                JobId.TryParse(id, out JobId resultId);
                return WorkerEvent.Result(workerIndex, resultId, JobPayload.FromBytes(payload));
            case ProgressKind:
                JobId.TryParse(id, out JobId progressId);
                return WorkerEvent.Progress(workerIndex, progressId, JobPayload.FromBytes(payload));
            case ErrorKind:
                JobId.TryParse(id, out JobId errorId);
                return TryParseErrorKind(errorKind, out JobErrorKind parsedKind)
                    ? WorkerEvent.Error(workerIndex, errorId, parsedKind, errorType ?? "unknown", message ?? string.Empty, stack)
                    : WorkerEvent.Malformed(workerIndex, $"error envelope for job {errorId} with an unknown error kind '{Truncate(errorKind)}'");
            default:
                return WorkerEvent.Malformed(workerIndex, $"envelope of unknown kind '{Truncate(kind)}'");
        }
    }

    /// <summary>
    /// Turns the fields of a host → worker envelope into a message, for the worker side of a transport.
    /// </summary>
    /// <param name="kind">The envelope kind.</param>
    /// <param name="id">The job id as a decimal string.</param>
    /// <param name="jobName">The job's name, for jobs.</param>
    /// <param name="payload">The encoded input, for jobs.</param>
    /// <param name="traceParent">The W3C traceparent, if any.</param>
    /// <param name="traceState">The W3C tracestate, if any.</param>
    /// <param name="message">The message when the method returns <see langword="true"/>.</param>
    /// <param name="problem">What was wrong when the method returns <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when the fields make a valid message.</returns>
    public static bool TryParseMessage(
        string? kind,
        string? id,
        string? jobName,
        ReadOnlyMemory<byte> payload,
        string? traceParent,
        string? traceState,
        out WorkerMessage message,
        out string? problem)
    {
        message = default;
        if (!JobId.TryParse(id, out JobId jobId))
        {
            problem = $"'{Truncate(kind)}' envelope with a missing or malformed job id '{Truncate(id)}'";
            return false;
        }

        switch (kind)
        {
            case JobKind when !string.IsNullOrEmpty(jobName):
                message = WorkerMessage.Job(jobId, jobName, JobPayload.FromBytes(payload), traceParent, traceState);
                problem = null;
                return true;
            case CancelKind:
                message = WorkerMessage.Cancel(jobId);
                problem = null;
                return true;
            case JobKind:
                problem = $"job envelope {jobId} without a job name";
                return false;
            default:
                problem = $"envelope of unknown kind '{Truncate(kind)}'";
                return false;
        }
    }

    private static string Truncate(string? text) =>
        text is null ? "(null)" : text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
