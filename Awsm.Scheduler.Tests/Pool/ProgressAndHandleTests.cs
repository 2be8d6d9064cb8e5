using System.Collections.Concurrent;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Support;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>Progress reports reach the caller's IProgress (typed, coalesced, never after the end); handles name a job once.</summary>
public sealed class ProgressAndHandleTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    public static TheoryData<InProcPayloadMode> Modes => [InProcPayloadMode.Serialized, InProcPayloadMode.ByReference];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DispatchAsync_JobReportsProgress_CallerReceivesTypedValuesBeforeTheResult(InProcPayloadMode mode)
    {
        await using var pool = new WorkerPool(new InProcTransport(new InProcTransportOptions { Mode = mode }), Registry(), new WorkerPoolOptions { WorkerCount = 1 });
        var seen = new ConcurrentQueue<int>();
        var progress = new SynchronousProgress<int>(seen.Enqueue);

        int result = await pool.DispatchAsync(CountJob.Handle, 5, progress).AsTask().WaitAsync(Hang);

        Assert.Equal(5, result);
        int[] values = [.. seen];
        Assert.NotEmpty(values);
        Assert.Equal(1, values[0]); // the first report is sent at once; later ones are coalesced
        Assert.Equal(values.Order(), values);
        Assert.All(values, v => Assert.InRange(v, 1, 5));
    }

    [Fact]
    public async Task DispatchAsync_ProgressOfAnotherType_FailsClearlyAndNothingIsSent()
    {
        await using var pool = new WorkerPool(new InProcTransport(), Registry(), new WorkerPoolOptions { WorkerCount = 1 });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.DispatchAsync(CountJob.Handle, 1, new SynchronousProgress<string>(_ => { })).AsTask());

        Assert.Contains("System.Int32", error.Message);
        Assert.Equal(0, pool.GetStats().Dispatched);
        Assert.Equal(2, await pool.DispatchAsync(CountJob.Handle, 2).AsTask().WaitAsync(Hang));
    }

    [Fact]
    public void Add_ThroughHandle_RegistersTheJobWithItsTypes()
    {
        JobRegistry registry = Registry();

        Assert.True(registry.TryGet(CountJob.Name, out JobDescriptor? descriptor));
        Assert.Equal((typeof(CountJob), typeof(int), typeof(int), typeof(int)), (descriptor.JobType, descriptor.InputType, descriptor.OutputType, descriptor.ProgressType));
        Assert.Equal(CountJob.Name, CountJob.Handle.Name);
    }

    private static JobRegistry Registry() =>
        new JobRegistry().Add(CountJob.Handle, TestJsonContext.Default).AddProgress<int, int, int>(CountJob.Handle, TestJsonContext.Default);

    /// <summary>Counts to its input, reporting each step.</summary>
    private sealed class CountJob : IWorkerJob<int, int>
    {
        public static JobHandle<int, int> Handle { get; } = JobHandle.For<CountJob, int, int>();

        public static string Name => "count";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            for (int i = 1; i <= input; i++)
            {
                context.ReportProgress(i);
            }

            return ValueTask.FromResult(input);
        }
    }

    /// <summary>An IProgress that reports on the delivering thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
