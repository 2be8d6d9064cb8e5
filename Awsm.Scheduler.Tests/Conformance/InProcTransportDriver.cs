using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Conformance;

/// <summary>Drives the conformance suite over <see cref="InProcTransport"/> in one payload mode and threading mode.</summary>
public sealed class InProcTransportDriver(InProcPayloadMode mode, InProcThreading threading) : TransportDriver
{
    // Workers are threads of this process: a terminated one runs its job on until the job observes its token.
    private const TransportCapabilities Common =
        TransportCapabilities.FakeTime | TransportCapabilities.ManyWorkers | TransportCapabilities.CountsLiveWorkers | TransportCapabilities.JobsOutliveTermination;

    public override string Name => $"InProc ({mode}, {threading})";

    public override TransportCapabilities Capabilities =>
        mode == InProcPayloadMode.Serialized ? Common | TransportCapabilities.EncodesPayloads : Common;

    public override IWorkerTransport CreateTransport() => new InProcTransport(new InProcTransportOptions { Mode = mode, Threading = threading });

    public override int CountLiveWorkers(IWorkerTransport transport) => ((InProcTransport)transport).LiveWorkerCount;
}
