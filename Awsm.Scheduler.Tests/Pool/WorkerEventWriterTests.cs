using System.Globalization;
using Awsm.Scheduler.Tests.Hosting;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Tests.Testing;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>
/// The pool's writer on its own rules, through a transport that only records and speaks when the test says so, on the
/// test's thread: a replaced or dead incarnation is not heard, a start has one outcome, replies before a crash are kept,
/// and a malformed message fails nothing.
/// </summary>
public sealed class WorkerEventWriterTests : IAsyncDisposable
{
    private const int WorkerRespawning = 5;
    private const int WorkerRespawned = 9;
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private readonly LogSignal _logs = new();
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingTransport _transport = new();
    private readonly WorkerPool _pool;

    public WorkerEventWriterTests()
    {
        var options = new WorkerPoolOptions { WorkerCount = 1, RespawnInitialDelay = TimeSpan.FromSeconds(1), StartTimeout = TimeSpan.FromMinutes(5) };
        _pool = new WorkerPool(_transport, TestRegistry.Create(), options, _time, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)));
    }

    [Fact]
    public async Task TryWrite_SecondOutcomeForOneStart_IsDropped()
    {
        await StartAsync();

        Assert.False(_transport.Emit(WorkerEvent.Ready(0)));
        Assert.False(_transport.Emit(WorkerEvent.InitError(0, "late init error")));
        Assert.True(_transport.Emit(WorkerEvent.Crashed(0, "first crash")));
        Assert.False(_transport.Emit(WorkerEvent.Crashed(0, "second crash")));
        Assert.False(_transport.Emit(WorkerEvent.Ready(0)));
    }

    [Fact]
    public async Task TryWrite_ReadyOrReplyFromAReplacedIncarnation_IsDropped()
    {
        await StartAsync();
        await CrashAndRespawnAsync();
        Assert.Equal(2, _transport.IncarnationOf(0));

        Assert.False(_transport.Emit(WorkerEvent.Ready(0), incarnation: 1));
        Assert.Equal(WorkerState.Starting, _pool.GetStats().Workers[0].State);
        Assert.True(_transport.Emit(WorkerEvent.Ready(0), incarnation: 2));
        await WaitReadyAsync();

        ValueTask<int> job = _pool.DispatchAsync<AddOneJob, int, int>(41);
        JobId id = LastJobSent();
        Assert.False(_transport.Emit(Result(id, 42), incarnation: 1));
        Assert.False(job.IsCompleted);
        Assert.True(_transport.Emit(Result(id, 42), incarnation: 2));
        Assert.Equal(42, await job.AsTask().WaitAsync(Hang));
    }

    [Fact]
    public async Task TryWrite_CrashOfAReplacedIncarnation_IsDropped()
    {
        await StartAsync();
        await CrashAndRespawnAsync();
        Assert.True(_transport.Emit(WorkerEvent.Ready(0)));
        await WaitReadyAsync();

        Assert.False(_transport.Emit(WorkerEvent.Crashed(0, "the old one dies again"), incarnation: 1));

        ValueTask<int> job = _pool.DispatchAsync<AddOneJob, int, int>(1);
        Assert.True(_transport.Emit(Result(LastJobSent(), 2)));
        Assert.Equal(2, await job.AsTask().WaitAsync(Hang));
        Assert.Equal(1, _pool.GetStats().Workers[0].Crashes);
    }

    [Fact]
    public async Task TryWrite_RepliesBeforeACrash_AreKeptAndOnesAfterItAreDropped()
    {
        await StartAsync();
        ValueTask<int> first = _pool.DispatchAsync<AddOneJob, int, int>(1);
        JobId firstId = LastJobSent();
        ValueTask<int> second = _pool.DispatchAsync<AddOneJob, int, int>(2);
        JobId secondId = LastJobSent();

        Assert.True(_transport.Emit(Result(firstId, 2)));
        Assert.True(_transport.Emit(WorkerEvent.Crashed(0, "died after one reply")));
        Assert.False(_transport.Emit(Result(secondId, 3)));

        Assert.Equal(2, await first.AsTask().WaitAsync(Hang));
        await Assert.ThrowsAsync<WorkerCrashedException>(() => second.AsTask().WaitAsync(Hang));
    }

    [Fact]
    public async Task TryWrite_ReadyAfterThePoolGaveUpOnTheStart_IsDropped()
    {
        await StartAsync();
        await CrashAndRespawnAsync();

        // The respawn never reports ready in time: the pool loses that incarnation and terminates it.
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, _transport.Calls.Count(c => c == "terminate 0"));

        Assert.False(_transport.Emit(WorkerEvent.Ready(0), incarnation: 2));
        Assert.NotEqual(WorkerState.Ready, _pool.GetStats().Workers[0].State);
    }

    [Fact]
    public async Task TryWrite_Malformed_FailsNoJobAndKeepsTheWorker()
    {
        await StartAsync();
        ValueTask<int> job = _pool.DispatchAsync<AddOneJob, int, int>(1);
        JobId id = LastJobSent();

        Assert.True(_transport.Emit(WorkerEvent.Malformed(0, "garbage")));
        Assert.True(_transport.Emit(WireProtocol.ParseEvent(0, WireProtocol.ResultKind, "not-a-number", "2"u8.ToArray())));
        Assert.False(_transport.Emit(WorkerEvent.Malformed(5, "from a worker outside the pool")));

        Assert.False(job.IsCompleted);
        Assert.Equal(WorkerState.Ready, _pool.GetStats().Workers[0].State);
        Assert.True(_transport.Emit(Result(id, 2)));
        Assert.Equal(2, await job.AsTask().WaitAsync(Hang));
    }

    [Fact]
    public async Task TryWrite_MalformedFromADeadIncarnation_IsDropped()
    {
        await StartAsync();
        Assert.True(_transport.Emit(WorkerEvent.Crashed(0, "crash")));

        Assert.False(_transport.Emit(WorkerEvent.Malformed(0, "garbage from the dead")));
    }

    public async ValueTask DisposeAsync() => await _pool.DisposeAsync();

    private static WorkerEvent Result(JobId id, int output) =>
        WorkerEvent.Result(0, id, JobPayload.FromBytes(System.Text.Encoding.UTF8.GetBytes(output.ToString(CultureInfo.InvariantCulture))));

    private async Task StartAsync()
    {
        Task started = _pool.StartAsync();
        Assert.Equal(1, _transport.IncarnationOf(0));
        Assert.True(_transport.Emit(WorkerEvent.Ready(0)));
        await started.WaitAsync(Hang);
    }

    private async Task CrashAndRespawnAsync()
    {
        Assert.True(_transport.Emit(WorkerEvent.Crashed(0, "injected")));
        await _logs.WaitFor(WorkerRespawning).WaitAsync(Hang);
        _time.Advance(TimeSpan.FromSeconds(1)); // the respawn timer runs, and asks for the start, on this thread
    }

    /// <summary>The ready goes through the pool's inbox: the respawn's log is the pool's own signal that it was handled.</summary>
    private Task WaitReadyAsync() => _logs.WaitFor(WorkerRespawned).WaitAsync(Hang);

    private JobId LastJobSent()
    {
        string call = _transport.Calls.Last(c => c.StartsWith("job ", StringComparison.Ordinal));
        return new JobId(long.Parse(call.Split(' ')[1], CultureInfo.InvariantCulture));
    }
}
