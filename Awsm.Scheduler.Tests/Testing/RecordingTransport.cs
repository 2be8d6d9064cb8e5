using System.Threading.Channels;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>
/// An inner transport that does nothing by itself: it records what it is asked, and the test makes it speak, through
/// its events channel or through the reply sink it was given.
/// </summary>
public sealed class RecordingTransport : IWorkerTransport
{
    private readonly Channel<WorkerEvent> _events = Channel.CreateUnbounded<WorkerEvent>();
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];

    public bool RequiresEncodedPayloads => true;

    public ChannelReader<WorkerEvent> Events => _events.Reader;

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
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>The worker says something through the events channel.</summary>
    public void Emit(WorkerEvent e) => _events.Writer.TryWrite(e);

    /// <summary>The worker replies through the pool's sink, as InProc does.</summary>
    public void Reply(WorkerEvent e) => Context!.ReplySink!(e);

    private void Record(string call)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }
    }
}
