using Awsm.Scheduler.Testing.Internal.Jobs;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Remote errors, codec failures in both directions, and back-pressure (DESIGN.md sections 4 and 5).</summary>
internal static class FailureScenarios
{
    public static async Task DispatchAsync_JobThrows_FailsWithRemoteTypeMessageAndStack(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Check.ThrowsAsync<JobFailedException>(() => p.Guarded(p.Pool.DispatchAsync<ThrowJob, string, int>("boom")));

        Check.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
        Check.Equal("boom", error.RemoteMessage);
        Check.Contains(nameof(ThrowJob), error.RemoteStackTrace);
        Check.False(error.IsTransient);
        Check.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_UnserializableInput_FailsBeforeSendingNamingTypeAndDirection(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Check.ThrowsAsync<JobSerializationException>(() => p.Guarded(p.Pool.DispatchAsync<UnencodableInputJob, CodecProbe, int>(new CodecProbe())));

        Check.Equal(SerializationDirection.Input, error.Direction);
        Check.Equal(typeof(CodecProbe).FullName, error.TypeName);
        Check.Equal(0, p.Pool.GetStats().Dispatched);
        Check.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_UnserializableOutput_FailsNamingTypeAndDirection(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Check.ThrowsAsync<JobSerializationException>(() => p.Guarded(p.Pool.DispatchAsync<UnencodableOutputJob, int, CodecProbe>(1)));

        Check.Equal(SerializationDirection.Output, error.Direction);
        Check.Equal(typeof(CodecProbe).FullName, error.TypeName);
        Check.Equal(42, await p.AddOne(41));
    }

    public static async Task DispatchAsync_InputTheWorkerCannotDecode_FailsNamingTypeAndInputDirection(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        var error = await Check.ThrowsAsync<JobSerializationException>(() => p.Guarded(p.Pool.DispatchAsync<UndecodableInputJob, CodecProbe, int>(new CodecProbe())));

        Check.Equal(SerializationDirection.Input, error.Direction);
        Check.Contains(nameof(CodecProbe), error.TypeName);
        Check.Equal(1, p.Pool.GetStats().Dispatched);
        Check.Equal(42, await p.AddOne(41));
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

        var error = await Check.ThrowsAsync<QueueFullException>(() => p.AddOne(3));

        Check.Equal(2, error.Capacity);
        busy.Release();
        Check.EndsWith("@0", await running);
        Check.Equal(2, await queued1);
        Check.Equal(3, await queued2);
        Check.Equal(5, await p.AddOne(4));
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

        Check.False(waiting.IsCompleted);
        busy.Release();
        await running;
        Check.Equal(2, await queued);
        Check.Equal(3, await waiting);
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

        Check.Equal(1, p.Pool.GetStats().Workers[0].InFlight);
        Check.False(second.HasStarted);
        first.Release();
        await a;
        await second.Started();
        second.Release();
        await b;
    }
}
