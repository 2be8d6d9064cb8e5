using System.Threading.Channels;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Bulk;

/// <summary>Bulk maps over InProc: order, window, failure policies, cancellation, inputs and progress.</summary>
public sealed class BulkMapTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MapAsync_GatesReleasedInReverse_YieldsInInputOrder()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(5);
        Task<List<BulkResult<string>>> results = CollectAsync(pool.MapAsync(GateJob.Handle, Keys(gates)));
        await AllStartedAsync(gates);

        foreach (Gate gate in gates.Reverse())
        {
            gate.Release.SetResult();
        }

        Assert.Equal([0, 1, 2, 3, 4], (await results.WaitAsync(Hang)).Select(r => r.Index));
        Assert.All(await results, r => Assert.StartsWith(gates[r.Index].Key, r.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MapAsync_AsCompleted_YieldsTheFirstJobToEnd()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(3);
        await using IAsyncEnumerator<BulkResult<string>> results = pool.MapAsync(GateJob.Handle, Keys(gates), new BulkMapOptions { Order = BulkOrder.AsCompleted }).GetAsyncEnumerator();
        ValueTask<bool> first = results.MoveNextAsync();
        await AllStartedAsync(gates);

        gates[2].Release.SetResult();

        Assert.True(await first.AsTask().WaitAsync(Hang));
        Assert.Equal(2, results.Current.Index);
        gates[0].Release.SetResult();
        gates[1].Release.SetResult();
    }

    [Fact]
    public async Task MapAsync_MaxConcurrency_NeverHasMoreJobsInThePool()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(10);
        Task<List<BulkResult<string>>> results = CollectAsync(pool.MapAsync(GateJob.Handle, Keys(gates), new BulkMapOptions { MaxConcurrency = 3 }));

        // Each dispatch is accepted before the enumeration awaits, so the pool's pending count is the window in use.
        int most = 0;
        foreach (Gate gate in gates)
        {
            await gate.Started.Task.WaitAsync(Hang);
            most = Math.Max(most, pool.GetStats().Pending);
            gate.Release.SetResult();
        }

        Assert.Equal(10, (await results.WaitAsync(Hang)).Count);
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task MapAsync_SlowHeadInInputOrder_BuffersNoMoreThanTheWindow()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(6);
        Task<List<BulkResult<string>>> results = CollectAsync(pool.MapAsync(GateJob.Handle, Keys(gates), new BulkMapOptions { MaxConcurrency = 3 }));
        await AllStartedAsync(gates[..3]);

        gates[1].Release.SetResult();
        gates[2].Release.SetResult();
        await WaitUntilAsync(() => pool.GetStats().Completed == 2);

        // Two results wait behind the slow head; nothing more is dispatched until it is handed out.
        Assert.False(gates[3].Started.Task.IsCompleted);
        Assert.Equal(1, pool.GetStats().Pending);
        gates[0].Release.SetResult();
        foreach (Gate gate in gates[3..])
        {
            gate.Release.SetResult();
        }

        Assert.Equal([0, 1, 2, 3, 4, 5], (await results.WaitAsync(Hang)).Select(r => r.Index));
    }

    [Fact]
    public async Task MapAsync_FirstFailure_CancelsTheRestAndThrowsIt()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(5);
        Task<List<BulkResult<string>>> results = CollectAsync(pool.MapAsync(GateJob.Handle, Keys(gates)));
        await AllStartedAsync(gates);

        gates[3].Release.SetException(new InvalidOperationException("boom"));

        JobFailedException error = await Assert.ThrowsAsync<JobFailedException>(() => results.WaitAsync(Hang));
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(0, stats.Pending);
        Assert.Equal(4, stats.Canceled);
        await Task.WhenAll(gates.Where((_, i) => i != 3).Select(g => g.TokenFired.Task)).WaitAsync(Hang);
    }

    [Fact]
    public async Task MapAsync_CollectAll_HandsBackEveryOutcome()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(3);
        Task<List<BulkResult<string>>> results = CollectAsync(pool.MapAsync(GateJob.Handle, Keys(gates), new BulkMapOptions { FailurePolicy = BulkFailurePolicy.CollectAll }));
        await AllStartedAsync(gates);

        gates[1].Release.SetException(new InvalidOperationException("boom"));
        gates[0].Release.SetResult();
        gates[2].Release.SetResult();

        List<BulkResult<string>> all = await results.WaitAsync(Hang);
        Assert.Equal([true, false, true], all.Select(r => r.Succeeded));
        Assert.IsType<JobFailedException>(all[1].Exception);
        Assert.Throws<JobFailedException>(() => all[1].Output);
    }

    [Fact]
    public async Task MapAsync_CallerTokenFires_CancelsEveryJobAndThrows()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(4);
        using var cts = new CancellationTokenSource();
        Task<List<BulkResult<string>>> results = CollectAsync(pool.MapAsync(GateJob.Handle, Keys(gates), cancellationToken: cts.Token));
        await AllStartedAsync(gates);

        await cts.CancelAsync();

        OperationCanceledException error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => results.WaitAsync(Hang));
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(0, pool.GetStats().Pending);
        await Task.WhenAll(gates.Select(g => g.TokenFired.Task)).WaitAsync(Hang);
    }

    [Fact]
    public async Task MapAsync_ConsumerBreaks_CancelsThePendingJobs()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(4);
        gates[0].Release.SetResult();

        await foreach (BulkResult<string> result in pool.MapAsync(GateJob.Handle, Keys(gates)))
        {
            Assert.Equal(0, result.Index);
            break;
        }

        Assert.Equal(0, pool.GetStats().Pending);
        await Task.WhenAll(gates[1..].Select(g => g.TokenFired.Task)).WaitAsync(Hang);
    }

    [Fact]
    public async Task MapAsync_AsyncInputs_HandsOutResultsWhileTheNextInputIsAwaited()
    {
        await using WorkerPool pool = NewPool();
        var inputs = Channel.CreateUnbounded<string>();
        Gate[] gates = Gates(2);
        await using IAsyncEnumerator<BulkResult<string>> results = pool.MapAsync(GateJob.Handle, inputs.Reader.ReadAllAsync()).GetAsyncEnumerator();

        inputs.Writer.TryWrite(gates[0].Key);
        ValueTask<bool> first = results.MoveNextAsync();
        gates[0].Release.SetResult();
        Assert.True(await first.AsTask().WaitAsync(Hang));
        Assert.Equal(0, results.Current.Index);

        inputs.Writer.TryWrite(gates[1].Key);
        inputs.Writer.Complete();
        gates[1].Release.SetResult();
        Assert.True(await results.MoveNextAsync().AsTask().WaitAsync(Hang));
        Assert.Equal(1, results.Current.Index);
        Assert.False(await results.MoveNextAsync().AsTask().WaitAsync(Hang));
    }

    [Fact]
    public async Task MapAsync_InputEnumeratorThrows_EndsCleanlyWithItsException()
    {
        await using WorkerPool pool = NewPool();
        Gate gate = Gate.Create();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CollectAsync(pool.MapAsync(GateJob.Handle, ThrowingAfter(gate.Key))).WaitAsync(Hang));

        // The job dispatched before the throw was canceled (queued or running) and awaited: nothing is left.
        Assert.Equal("inputs broke", error.Message);
        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(0, stats.Pending);
        Assert.Equal(1, stats.Canceled);
    }

    [Fact]
    public async Task MapAsync_Progress_ReportsCountsUpToTheTotal()
    {
        await using WorkerPool pool = NewPool();
        var progress = new Recorder();

        await CollectAsync(pool.MapAsync(AddOneJob.Handle, [1, 2, 3, 4], new BulkMapOptions { Progress = progress })).WaitAsync(Hang);

        Assert.Equal(new BulkProgress(0, 0, 0, 4), progress.Reports[0]);
        Assert.Equal(new BulkProgress(4, 0, 0, 4), progress.Reports[^1]);
        Assert.Equal(5, progress.Reports.Count);
    }

    [Fact]
    public async Task MapAsync_ProgressOfAsyncInputs_KnowsTheTotalAtTheEnd()
    {
        await using WorkerPool pool = NewPool();
        var progress = new Recorder();
        var inputs = Channel.CreateUnbounded<int>();
        await using IAsyncEnumerator<BulkResult<int>> results = pool.MapAsync(AddOneJob.Handle, inputs.Reader.ReadAllAsync(), new BulkMapOptions { Progress = progress }).GetAsyncEnumerator();

        inputs.Writer.TryWrite(1);
        Assert.True(await results.MoveNextAsync().AsTask().WaitAsync(Hang));
        Assert.Equal(new BulkProgress(1, 0, 0, null), progress.Reports[^1]);

        inputs.Writer.Complete();
        Assert.False(await results.MoveNextAsync().AsTask().WaitAsync(Hang));
        Assert.Equal(new BulkProgress(1, 0, 0, 1), progress.Reports[^1]);
    }

    [Fact]
    public async Task MapToArrayAsync_ManyInputs_ReturnsOutputsInInputOrder()
    {
        await using WorkerPool pool = NewPool();

        int[] outputs = await pool.MapToArrayAsync(AddOneJob.Handle, Enumerable.Range(0, 100), new BulkMapOptions { MaxConcurrency = 7, Order = BulkOrder.AsCompleted }).WaitAsync(Hang);

        Assert.Equal(Enumerable.Range(1, 100), outputs);
    }

    [Fact]
    public async Task MapToArrayAsync_CollectAllWithFailures_ThrowsEveryFailureInInputOrder()
    {
        await using WorkerPool pool = NewPool();
        Gate[] gates = Gates(3);
        gates[2].Release.SetException(new InvalidOperationException("two"));
        gates[1].Release.SetResult();
        gates[0].Release.SetException(new InvalidOperationException("zero"));

        var error = await Assert.ThrowsAsync<AggregateException>(() => pool.MapToArrayAsync(GateJob.Handle, Keys(gates), new BulkMapOptions { FailurePolicy = BulkFailurePolicy.CollectAll }).WaitAsync(Hang));

        Assert.Equal(2, error.InnerExceptions.Count);
        Assert.Contains("zero", error.InnerExceptions[0].Message, StringComparison.Ordinal);
        Assert.Contains("two", error.InnerExceptions[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxConcurrency_ZeroOrLess_Throws()
    {
        var options = new BulkMapOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxConcurrency = 0);
        Assert.Equal(BulkMapOptions.DefaultMaxConcurrency, options.MaxConcurrency);
    }

    private static WorkerPool NewPool() =>
        new(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2 }, new FakeTimeProvider());

    private static Gate[] Gates(int count) => [.. Enumerable.Range(0, count).Select(_ => Gate.Create())];

    private static string[] Keys(Gate[] gates) => [.. gates.Select(g => g.Key)];

    private static Task AllStartedAsync(Gate[] gates) => Task.WhenAll(gates.Select(g => g.Started.Task)).WaitAsync(Hang);

    private static async Task<List<BulkResult<T>>> CollectAsync<T>(IAsyncEnumerable<BulkResult<T>> results)
    {
        var list = new List<BulkResult<T>>();
        await foreach (BulkResult<T> result in results)
        {
            list.Add(result);
        }

        return list;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(Hang);
        while (!condition())
        {
            limit.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    private static IEnumerable<string> ThrowingAfter(string key)
    {
        yield return key;
        throw new InvalidOperationException("inputs broke");
    }

    /// <summary>Records reports on the reporting thread (unlike <see cref="Progress{T}"/>, which posts them).</summary>
    private sealed class Recorder : IProgress<BulkProgress>
    {
        private readonly Lock _gate = new();

        public List<BulkProgress> Reports { get; } = [];

        public void Report(BulkProgress value)
        {
            lock (_gate)
            {
                Reports.Add(value);
            }
        }
    }
}
