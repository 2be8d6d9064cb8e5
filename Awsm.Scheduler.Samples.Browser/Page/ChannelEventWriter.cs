using System.Threading.Channels;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>
/// A writer for a transport used without a pool (the bare-transport measurements): everything the workers say lands in
/// a channel the measurement reads, in order.
/// </summary>
internal sealed class ChannelEventWriter : WorkerEventWriter
{
    private readonly Channel<WorkerEvent> _events = Channel.CreateUnbounded<WorkerEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<WorkerEvent> Events => _events.Reader;

    public override bool TryWrite(int incarnation, in WorkerEvent workerEvent) => _events.Writer.TryWrite(workerEvent);
}
