using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>
/// An inner transport that does nothing by itself: it records what it is asked, and the test makes it speak through
/// the writer it was given, as the incarnation the pool started last (or another).
/// </summary>
public sealed class RecordingTransport : IWorkerTransport
{
    private readonly Dictionary<int, int> _incarnations = [];
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];

    public bool RequiresEncodedPayloads => true;

    public WorkerTransportContext? Context { get; private set; }

    public bool Disposed { get; private set; }

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        Context = context;
        return ValueTask.CompletedTask;
    }

    public ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        Record($"start {workerIndex}");
        lock (_gate)
        {
            _incarnations[workerIndex] = incarnation;
        }

        return ValueTask.CompletedTask;
    }

    public void Send(int workerIndex, in WorkerMessage message) => Record($"{message.Kind.ToString().ToLowerInvariant()} {message.JobId} to {workerIndex}");

    public ValueTask TerminateWorkerAsync(int workerIndex)
    {
        Record($"terminate {workerIndex}");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets the incarnation the pool started last at <paramref name="worker"/> (0 before its first start).</summary>
    public int IncarnationOf(int worker)
    {
        lock (_gate)
        {
            return _incarnations.GetValueOrDefault(worker);
        }
    }

    /// <summary>The worker's current incarnation says something, on this thread.</summary>
    public bool Emit(WorkerEvent e)
    {
        int incarnation;
        lock (_gate)
        {
            incarnation = _incarnations.GetValueOrDefault(e.WorkerIndex);
        }

        return Context!.Writer.TryWrite(incarnation, e);
    }

    /// <summary>The given incarnation of the worker says something, on this thread.</summary>
    public bool Emit(WorkerEvent e, int incarnation) => Context!.Writer.TryWrite(incarnation, e);

    private void Record(string call)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }
    }
}
