using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Tests.Support;

namespace Awsm.Scheduler.Tests.Conformance;

/// <summary>The conformance suite over InProc: serialized payloads on dedicated threads.</summary>
public sealed class InProcSerializedConformanceTests : TransportConformanceTests
{
    protected override TransportDriver CreateDriver() => new InProcTransportDriver(InProcPayloadMode.Serialized, InProcThreading.DedicatedThreads);
}

/// <summary>The conformance suite over InProc: by-reference payloads on dedicated threads.</summary>
public sealed class InProcByReferenceConformanceTests : TransportConformanceTests
{
    protected override TransportDriver CreateDriver() => new InProcTransportDriver(InProcPayloadMode.ByReference, InProcThreading.DedicatedThreads);

    /// <summary>What by-reference mode promises instead of the codec scenarios it skips: nothing is encoded.</summary>
    [Fact]
    public async Task DispatchAsync_UnserializableTypes_PassByReference()
    {
        await using PoolHarness h = await PoolHarness.StartAsync(InProcPayloadMode.ByReference);

        TypeHolder output = await h.Pool.DispatchAsync<UnserializableOutputJob, int, TypeHolder>(1);

        Assert.Equal(typeof(int), output.Held);
    }
}

/// <summary>The conformance suite over InProc: serialized payloads on thread-pool mailboxes.</summary>
public sealed class InProcThreadPoolSerializedConformanceTests : TransportConformanceTests
{
    protected override TransportDriver CreateDriver() => new InProcTransportDriver(InProcPayloadMode.Serialized, InProcThreading.ThreadPool);
}

/// <summary>The conformance suite over InProc: by-reference payloads on thread-pool mailboxes.</summary>
public sealed class InProcThreadPoolByReferenceConformanceTests : TransportConformanceTests
{
    protected override TransportDriver CreateDriver() => new InProcTransportDriver(InProcPayloadMode.ByReference, InProcThreading.ThreadPool);
}

/// <summary>The conformance suite over InProc: serialized payloads, adaptive threading (the transport's default).</summary>
public sealed class InProcAdaptiveSerializedConformanceTests : TransportConformanceTests
{
    protected override TransportDriver CreateDriver() => new InProcTransportDriver(InProcPayloadMode.Serialized, InProcThreading.Adaptive);
}
