using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// The worker side of the transport without browser APIs: turns the fields of a job or cancel envelope into a
/// <see cref="WorkerMessage"/> for the Core <see cref="WorkerJobRuntime"/>, and its replies back into wire fields.
/// </summary>
internal sealed class WorkerEndpoint
{
    private readonly WorkerJobRuntime _runtime;
    private readonly IWorkerReplySink _sink;

    public WorkerEndpoint(JobRegistry registry, int workerIndex, IServiceProvider? services, IWorkerReplySink sink)
    {
        _sink = sink;
        _runtime = new WorkerJobRuntime(registry, workerIndex, Reply, services);
    }

    public int RunningJobs => _runtime.RunningJobs;

    public void OnJob(string? id, string? name, byte[]? payload, string? traceParent, string? traceState)
    {
        if (!WireProtocol.TryParseMessage(WireProtocol.JobKind, id, name, payload ?? [], traceParent, traceState, out WorkerMessage message, out string? problem))
        {
            if (JobId.TryParse(id, out JobId jobId))
            {
                _sink.Error(jobId.ToString(), WireProtocol.ToWire(JobErrorKind.JobFailed), typeof(TransportException).FullName!, problem ?? "malformed job envelope", null);
            }
            else
            {
                _sink.Problem(problem ?? "malformed job envelope");
            }

            return;
        }

        _runtime.Handle(message);
    }

    /// <summary>The browser's path: the id arrives as a JS number, the payload as its own array.</summary>
    public void OnJob(double id, string? name, byte[]? payload, string? traceParent, string? traceState)
    {
        if (!WireIds.TryGet(id, out JobId jobId))
        {
            _sink.Problem($"job envelope with a missing or malformed job id '{id}'");
            return;
        }

        if (string.IsNullOrEmpty(name))
        {
            _sink.Error(jobId.ToString(), WireProtocol.ToWire(JobErrorKind.JobFailed), typeof(TransportException).FullName!, $"job envelope {jobId} without a job name", null);
            return;
        }

        _runtime.Handle(WorkerMessage.Job(jobId, name, JobPayload.FromBytes(payload ?? []), traceParent, traceState));
    }

    /// <summary>The browser's path for a cancel envelope.</summary>
    public void OnCancel(double id)
    {
        if (WireIds.TryGet(id, out JobId jobId))
        {
            _runtime.Cancel(jobId);
        }
        else
        {
            _sink.Problem($"cancel envelope with a missing or malformed job id '{id}'");
        }
    }

    public void OnCancel(string? id)
    {
        if (JobId.TryParse(id, out JobId jobId))
        {
            _runtime.Cancel(jobId);
        }
        else
        {
            _sink.Problem($"cancel envelope with a missing or malformed job id '{id}'");
        }
    }

    public void CancelAll() => _runtime.CancelAll();

    private void Reply(WorkerEvent e)
    {
        switch (e.Kind)
        {
            case WorkerEventKind.Result:
                _sink.Result(e.JobId.Value, e.Payload.Bytes.Span);
                break;
            case WorkerEventKind.Progress:
                _sink.Progress(e.JobId.Value, e.Payload.Bytes.Span);
                break;
            case WorkerEventKind.Error:
                _sink.Error(e.JobId.ToString(), WireProtocol.ToWire(e.ErrorKind), e.ErrorType ?? "unknown", e.Message ?? string.Empty, e.RemoteStackTrace);
                break;
            default:
                _sink.Problem($"the job runtime produced an unexpected {e.Kind} event");
                break;
        }
    }
}
