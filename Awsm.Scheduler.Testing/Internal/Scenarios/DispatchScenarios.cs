using Awsm.Scheduler.Testing.Internal.Jobs;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Ready, results and the dispatch path (DESIGN.md sections 3 and 4).</summary>
internal static class DispatchScenarios
{
    public static async Task StartAsync_AllWorkersReady_ReportsThemAliveAndStartedOnce(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = c.Has(TransportCapabilities.ManyWorkers) ? 2 : 1);

        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(stats.Workers.Count, stats.WorkersAlive);
        Check.All(stats.Workers, w => Check.Equal(WorkerState.Ready, w.State));
        Check.All(stats.Workers, w => Check.Equal(1, p.Faults.StartCount(w.WorkerIndex)));
    }

    public static async Task DispatchAsync_RegisteredJob_ReturnsOutput(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        int result = await p.AddOne(41);

        Check.Equal(42, result);
    }

    public static async Task DispatchAsync_RecordThroughJsonContext_RoundTrips(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        SumOutput output = await p.Guarded(p.Pool.DispatchAsync<SumJob, SumInput, SumOutput>(new SumInput([1, 2, 3, 4])));

        Check.Equal(10, output.Total);
        Check.InRange(output.Worker, 0, p.Pool.GetStats().Workers.Count - 1);
    }

    public static async Task DispatchAsync_ByteArray_ArrivesIntact(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        byte[] input = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();

        byte[] output = await p.Guarded(p.Pool.DispatchAsync<ReverseBytesJob, byte[], byte[]>(input));

        Check.Equal(input.Reverse(), output);
        Check.Equal(0, input[0]);
    }

    public static async Task DispatchAsync_ManyConcurrentJobs_AllCompleteAndPendingMapEmpties(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.MaxInFlightPerWorker = 4);

        int[] results = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => p.AddOne(i)));

        Check.Equal(Enumerable.Range(1, 2_000), results);
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(2_000, stats.Completed);
        Check.Equal(0, stats.Pending);
        Check.All(stats.Workers, w => Check.Equal(0, w.InFlight));
    }

    public static async Task DispatchAsync_UnregisteredJob_FailsBeforeSending(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);

        // The job type exists, but this pool's registry (the driver's) does not know a job of that name.
        var error = await Check.ThrowsAsync<UnknownJobException>(() => p.Guarded(p.Pool.DispatchAsync<UnregisteredJob, int, int>(0)));

        Check.Equal(UnregisteredJob.Name, error.JobName);
        Check.Equal(0, p.Pool.GetStats().Dispatched);
        Check.Equal(1, await p.AddOne(0));
    }

    public static async Task DispatchAsync_NullInput_ThrowsArgumentNullException(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();

        await Check.ThrowsAsync<ArgumentNullException>(() => p.Guarded(p.Pool.DispatchAsync<ThrowJob, string, int>(null!)));
        Check.Equal(0, p.Pool.GetStats().Dispatched);
    }

    public static async Task DispatchAsync_AfterDispose_ThrowsSchedulerDisposedException(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        await p.Pool.DisposeAsync().AsTask().WaitAsync(c.Guard);

        await Check.ThrowsAsync<SchedulerDisposedException>(() => p.AddOne(1));
    }

    public static async Task DispatchAsync_BeforeStart_WaitsInQueueUntilWorkersAreReady(ConformanceContext c)
    {
        // The first dispatch starts the pool; the worker's ready is held, so the job has nowhere to go yet (without the
        // hold, a fast transport could finish start and job before the check below).
        ConformancePool p = c.CreatePool(o => o.WorkerCount = 1, beforeStart: f => f.HoldStarts(0));
        Task<int> early = p.AddOne(1);
        await p.Faults.WhenReadyHeldAsync(0).WaitAsync(c.Guard);
        Check.False(early.IsCompleted);
        Check.Equal(1, p.Pool.GetStats().QueueDepth);

        p.Faults.ReleaseStarts(0);
        await p.StartAsync();

        Check.Equal(2, await early);
    }

    public static async Task DispatchAsync_RoundRobin_AlternatesWorkers(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.Strategy = WorkerSelectionStrategies.RoundRobin());

        var workers = new List<int>();
        for (int i = 0; i < 6; i++)
        {
            workers.Add(await p.WhoAmI());
        }

        Check.Equal([0, 1, 0, 1, 0, 1], workers);
    }

    public static async Task DispatchAsync_LeastBusy_AvoidsTheBusyWorker(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.Strategy = WorkerSelectionStrategies.LeastBusy());
        ConformanceGate gate = c.NewGate();
        Task<string> busy = p.Gate(gate);
        int busyWorker = await gate.Started();

        var workers = new List<int>();
        for (int i = 0; i < 6; i++)
        {
            workers.Add(await p.WhoAmI());
        }

        Check.All(workers, w => Check.Equal(1 - busyWorker, w));
        gate.Release();
        Check.EndsWith($"@{busyWorker}", await busy);
    }

    /// <summary>A job type no conformance registry holds.</summary>
    internal sealed class UnregisteredJob : IWorkerJob<int, int>
    {
        public static string Name => "conformance.unregistered";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input);
    }
}
