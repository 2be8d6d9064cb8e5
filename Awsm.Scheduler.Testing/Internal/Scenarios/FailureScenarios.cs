using Awsm.Scheduler.Testing.Internal.Jobs;
using Xunit;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Remote errors, codec failures in both directions, and back-pressure (DESIGN.md sections 4 and 5).</summary>
internal static class FailureScenarios
{
    public static async Task DispatchAsync_JobThrows_FailsWithRemoteTypeMessageAndStack(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Assert.ThrowsAsync<JobFailedException>(() => p.Guarded(p.Pool.DispatchAsync<ThrowJob, string, int>("boom")));

        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
        Assert.Equal("boom", error.RemoteMessage);
        Assert.Contains(nameof(ThrowJob), error.RemoteStackTrace);
        Assert.False(error.IsTransient);
        Assert.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_UnserializableInput_FailsBeforeSendingNamingTypeAndDirection(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Assert.ThrowsAsync<JobSerializationException>(() => p.Guarded(p.Pool.DispatchAsync<UnencodableInputJob, CodecProbe, int>(new CodecProbe())));

        Assert.Equal(SerializationDirection.Input, error.Direction);
        Assert.Equal(typeof(CodecProbe).FullName, error.TypeName);
        Assert.Equal(0, p.Pool.GetStats().Dispatched);
        Assert.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_UnserializableOutput_FailsNamingTypeAndDirection(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Assert.ThrowsAsync<JobSerializationException>(() => p.Guarded(p.Pool.DispatchAsync<UnencodableOutputJob, int, CodecProbe>(1)));

        Assert.Equal(SerializationDirection.Output, error.Direction);
        Assert.Equal(typeof(CodecProbe).FullName, error.TypeName);
        Assert.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_InputTheWorkerCannotDecode_FailsNamingTypeAndInputDirection(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Assert.ThrowsAsync<JobSerializationException>(() => p.Guarded(p.Pool.DispatchAsync<UndecodableInputJob, CodecProbe, int>(new CodecProbe())));

        Assert.Equal(SerializationDirection.Input, error.Direction);
        Assert.Contains(nameof(CodecProbe), error.TypeName);
        Assert.Equal(1, p.Pool.GetStats().Dispatched);
        Assert.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_QueueFullInRejectMode_ThrowsQueueFullAndPoolStaysHealthy(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
            o.QueueCapacity = 2;
            o.QueueFullMode = QueueFullMode.Reject;
        });
        ConformanceGate busy = c.NewGate();
        Task<string> running = p.Gate(busy);
        await busy.Started();
        Task<int> queued1 = p.AddOne(1);
        Task<int> queued2 = p.AddOne(2);

        var error = await Assert.ThrowsAsync<QueueFullException>(() => p.AddOne(3));

        Assert.Equal(2, error.Capacity);
        busy.Release();
        Assert.EndsWith("@0", await running);
        Assert.Equal(2, await queued1);
        Assert.Equal(3, await queued2);
        Assert.Equal(5, await p.AddOne(4));
    }

    public static async Task DispatchAsync_QueueFullInWaitMode_WaitsForRoom(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
            o.QueueCapacity = 1;
        });
        ConformanceGate busy = c.NewGate();
        Task<string> running = p.Gate(busy);
        await busy.Started();
        Task<int> queued = p.AddOne(1);

        Task<int> waiting = p.AddOne(2);

        Assert.False(waiting.IsCompleted);
        busy.Release();
        await running;
        Assert.Equal(2, await queued);
        Assert.Equal(3, await waiting);
    }

    public static async Task DispatchAsync_PerWorkerInFlightLimit_HoldsFurtherJobsBack(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        ConformanceGate first = c.NewGate();
        ConformanceGate second = c.NewGate();
        Task<string> a = p.Gate(first);
        await first.Started();

        Task<string> b = p.Gate(second);

        Assert.Equal(1, p.Pool.GetStats().Workers[0].InFlight);
        Assert.False(second.HasStarted);
        first.Release();
        await a;
        await second.Started();
        second.Release();
        await b;
    }
}
