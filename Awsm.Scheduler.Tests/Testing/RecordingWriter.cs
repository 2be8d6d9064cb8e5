using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>A writer that accepts everything and records it with its incarnation, for a transport tested without a pool.</summary>
public sealed class RecordingWriter : WorkerEventWriter
{
    private readonly List<(int Incarnation, WorkerEvent Event)> _written = [];

    public IReadOnlyList<(int Incarnation, WorkerEvent Event)> Written
    {
        get
        {
            lock (_written)
            {
                return [.. _written];
            }
        }
    }

    public override bool TryWrite(int incarnation, in WorkerEvent workerEvent)
    {
        lock (_written)
        {
            _written.Add((incarnation, workerEvent));
        }

        return true;
    }
}
