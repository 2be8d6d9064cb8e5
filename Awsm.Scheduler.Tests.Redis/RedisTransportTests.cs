using System.Text;
using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Samples.WorkerHost;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// The transport's contract against a real redis-server, with worker hosts in this process on their own connections.
/// The shared conformance suite runs too (<see cref="Conformance.RedisConformanceTests"/>); these cover what is Redis's own:
/// hosts, leases, hand-over, limits, untrusted entries and the keys left behind.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTransportTests(RedisServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = Fleet.HangGuard;

    [Fact]
    public async Task DispatchAsync_RemoteHost_ReturnsResultsAndReportsTheHost()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a", slots: 2);
        (WorkerPool pool, RedisTransport transport) = await fleet.StartPoolAsync(workers: 2);

        string where = await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Guard);
        byte[] input = [0, 1, 2, 255, 0, 42];
        byte[] echoed = await pool.DispatchAsync<EchoBytesJob, byte[], byte[]>(input).AsTask().WaitAsync(Guard);

        Assert.Equal(input, echoed);
        Assert.StartsWith("host-a/", where, StringComparison.Ordinal);
        Assert.Equal("host-a", transport.GetWorkerHost(0));
        Assert.Equal("host-a", transport.GetWorkerHost(1));
        Assert.Matches("^[0-9a-f]{32}$", transport.DispatcherId);
    }

    [Fact]
    public async Task DispatchAsync_JobReportsProgress_ReachesTheCallerThroughRedis()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a");
        (WorkerPool pool, _) = await fleet.StartPoolAsync();
        var first = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new InlineProgress<int>(value => first.TrySetResult(value));

        Task<int> running = pool.DispatchAsync<StepsJob, int, int, int>(3, progress).AsTask();
        int reported = await first.Task.WaitAsync(Guard); // the first report is sent at once, while the job waits
        StepsJob.Finish.TrySetResult();

        Assert.Equal(1, reported);
        Assert.Equal(3, await running.WaitAsync(Guard));
    }

    [Fact]
    public async Task DispatchAsync_JobThrows_FailsWithTheRemoteTypeAndMessage()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a");
        (WorkerPool pool, _) = await fleet.StartPoolAsync();

        JobFailedException failure = await Assert.ThrowsAsync<JobFailedException>(() => pool.DispatchAsync<ThrowJob, string, int>("boom").AsTask().WaitAsync(Guard));

        Assert.Equal(typeof(InvalidOperationException).FullName, failure.RemoteType);
        Assert.Equal("boom", failure.RemoteMessage);
        Assert.False(failure.IsTransient);
    }

    [Fact]
    public async Task DispatchAsync_CancelledWhileRunning_FiresTheJobsTokenOnTheHost()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a");
        (WorkerPool pool, _) = await fleet.StartPoolAsync();
        Gate gate = Gate.Create();
        using var cancel = new CancellationTokenSource();

        Task<string> running = pool.DispatchAsync<GateJob, string, string>(gate.Key, cancel.Token).AsTask();
        await gate.Started.Task.WaitAsync(Guard);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Guard));
        await gate.TokenFired.Task.WaitAsync(Guard);
        Assert.Equal("after", await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Guard) is { } w && w.StartsWith("host-a/", StringComparison.Ordinal) ? "after" : "wrong host");
    }

    [Fact]
    public async Task HostCrash_FailsOnlyItsSlotsJobs_AndTheSlotIsReclaimed()
    {
        await using var fleet = new Fleet(server, Fleet.ShortLease, output);
        FleetHost a = await fleet.StartHostAsync("host-a", slots: 1);
        (WorkerPool pool, RedisTransport transport) = await fleet.StartPoolAsync(workers: 1);
        // The survivor's side (host-b and the second pool) keeps the steady lease: on a loaded CI machine a renewal
        // late by more than the short lease lost host-b's slot too, and the survivor failed with the doomed job.
        await fleet.StartHostAsync("host-b", slots: 2, configure: o => o.LeaseTime = Fleet.SteadyLease);
        WorkerPool second = fleet.CreatePool(out RedisTransport secondTransport, workers: 1, transportOptions: o => o.LeaseTime = Fleet.SteadyLease);
        await second.StartAsync().WaitAsync(Guard);
        Assert.Equal("host-a", transport.GetWorkerHost(0));
        Assert.Equal("host-b", secondTransport.GetWorkerHost(0));

        Gate onA = Gate.Create();
        Gate onB = Gate.Create();
        Task<string> doomed = pool.DispatchAsync<GateJob, string, string>(onA.Key).AsTask();
        Task<string> survivor = second.DispatchAsync<GateJob, string, string>(onB.Key).AsTask();
        await Task.WhenAll(onA.Started.Task, onB.Started.Task).WaitAsync(Guard);

        await a.CrashAsync();

        WorkerCrashedException crash = await Assert.ThrowsAsync<WorkerCrashedException>(() => doomed.WaitAsync(Guard));
        Assert.True(crash.IsTransient);
        Assert.False(survivor.IsCompleted, $"the survivor ended with {survivor.Status}: {survivor.Exception?.InnerException?.Message}");
        onB.Release.TrySetResult();
        Assert.EndsWith("@0", await survivor.WaitAsync(Guard), StringComparison.Ordinal);

        // The pool respawns the slot; host-b has a free slot and claims it. A retry runs there.
        string retried = await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Guard);
        Assert.StartsWith("host-b/", retried, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GracefulHostStop_DrainsAndHandsOver_NoJobFails()
    {
        // The steady lease: with 1 s, a renewal held up on a loaded machine lost the slot before the stop (2 runs in 17).
        await using var fleet = new Fleet(server, output: output);
        FleetHost a = await fleet.StartHostAsync("host-a", slots: 1);
        (WorkerPool pool, RedisTransport transport) = await fleet.StartPoolAsync(workers: 1, o => o.MaxInFlightPerWorker = 16);
        await fleet.StartHostAsync("host-b", slots: 1);
        Gate gate = Gate.Create();
        Task<string> running = pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(Guard);

        Task stopping = a.StopAsync();
        await a.Logs.WaitForAsync(327);
        Task<string>[] queued = [.. Enumerable.Range(0, 8).Select(i => pool.DispatchAsync<WhereJob, int, string>(i).AsTask())];
        gate.Release.TrySetResult();

        Assert.EndsWith("@0", await running.WaitAsync(Guard), StringComparison.Ordinal);
        await stopping.WaitAsync(Guard);
        string[] after = await Task.WhenAll(queued).WaitAsync(Guard);
        Assert.All(after, w => Assert.True(w.StartsWith("host-a/", StringComparison.Ordinal) || w.StartsWith("host-b/", StringComparison.Ordinal), w));
        Assert.Equal("host-b", transport.GetWorkerHost(0));
        Assert.Contains(a.Logs.Events, e => e.EventId == 323);
        Assert.Equal(0, pool.GetStats().Failed);
    }

    [Fact]
    public async Task HostLackingAJob_NeverClaimsThatDispatchersSlots()
    {
        await using var fleet = new Fleet(server, output: output);
        FleetHost partial = await fleet.StartHostAsync("partial", slots: 4, jobs: FleetJobs.Register);
        WorkerPool pool = fleet.CreatePool(out RedisTransport transport, workers: 2);
        Task starting = pool.StartAsync();
        await partial.Logs.WaitForAsync(324, m => m.Contains("test.gate", StringComparison.Ordinal) || m.Contains("test.throw", StringComparison.Ordinal));
        Assert.False(starting.IsCompleted);

        await fleet.StartHostAsync("complete", slots: 2);
        await starting.WaitAsync(Guard);

        Assert.Equal("complete", transport.GetWorkerHost(0));
        Assert.Equal("complete", transport.GetWorkerHost(1));
        Assert.DoesNotContain(partial.Logs.Events, e => e.EventId == 321);
    }

    [Fact]
    public async Task TwoDispatchers_SharingHosts_EachGetTheirOwnResults()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a", slots: 2);
        await fleet.StartHostAsync("host-b", slots: 2);
        (WorkerPool first, RedisTransport t1) = await fleet.StartPoolAsync(workers: 2);
        (WorkerPool second, RedisTransport t2) = await fleet.StartPoolAsync(workers: 2);

        // Job ids restart at 1 in every pool: the dispatcher ids keep the replies apart.
        Task<byte[]>[] a = [.. Enumerable.Range(0, 50).Select(i => first.DispatchAsync<EchoBytesJob, byte[], byte[]>([1, (byte)i]).AsTask())];
        Task<byte[]>[] b = [.. Enumerable.Range(0, 50).Select(i => second.DispatchAsync<EchoBytesJob, byte[], byte[]>([2, (byte)i]).AsTask())];
        byte[][] ra = await Task.WhenAll(a).WaitAsync(Guard);
        byte[][] rb = await Task.WhenAll(b).WaitAsync(Guard);

        Assert.NotEqual(t1.DispatcherId, t2.DispatcherId);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(new byte[] { 1, (byte)i }, ra[i]));
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(new byte[] { 2, (byte)i }, rb[i]));
    }

    [Fact]
    public async Task PayloadLimits_JustUnderAndOverEachLimit_InlineSideKeyOrNonTransientError()
    {
        const int inline = 1024;
        const int max = 8192;
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a", configure: o => { o.InlinePayloadLimit = inline; o.MaxPayloadSize = max + 64; });
        (WorkerPool pool, _) = await fleet.StartPoolAsync(transportOptions: o => { o.InlinePayloadLimit = inline; o.MaxPayloadSize = max; });

        // JSON-free raw bytes: the encoded size is the array's length.
        foreach (int size in new[] { inline, inline + 1, max })
        {
            byte[] input = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
            Assert.Equal(input, await pool.DispatchAsync<EchoBytesJob, byte[], byte[]>(input).AsTask().WaitAsync(Guard));
        }

        JobSerializationException tooBig = await Assert.ThrowsAsync<JobSerializationException>(
            () => pool.DispatchAsync<EchoBytesJob, byte[], byte[]>(new byte[max + 1]).AsTask().WaitAsync(Guard));
        Assert.False(tooBig.IsTransient);
        Assert.Equal(SerializationDirection.Input, tooBig.Direction);

        // Side keys are consumed by their reader: none is left behind.
        Assert.DoesNotContain((await fleet.KeysAsync()).Keys, k => k.Contains(":b:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InputOverTheHostsLimit_IsDroppedAndAnsweredWithInputSerialization()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("host-a", configure: o => o.MaxPayloadSize = 100);
        (WorkerPool pool, _) = await fleet.StartPoolAsync();

        // The dispatcher's limit is the default; the host refuses more than 100 bytes and still ends the job.
        JobSerializationException failure = await Assert.ThrowsAsync<JobSerializationException>(
            () => pool.DispatchAsync<EchoBytesJob, byte[], byte[]>(new byte[101]).AsTask().WaitAsync(Guard));
        Assert.Equal(SerializationDirection.Input, failure.Direction);
        Assert.Equal(new byte[100], await pool.DispatchAsync<EchoBytesJob, byte[], byte[]>(new byte[100]).AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task ForeignMalformedAndStaleEntries_AreDropped_NothingCrashes()
    {
        await using var fleet = new Fleet(server, output: output);
        FleetHost host = await fleet.StartHostAsync("host-a", slots: 2);
        (WorkerPool pool, RedisTransport transport) = await fleet.StartPoolAsync(workers: 1);
        IDatabase db = fleet.Db;
        string root = $"{fleet.Prefix}:{{fleet}}:";
        string replies = $"{root}d:{transport.DispatcherId}:r";
        string stream = $"{root}d:{transport.DispatcherId}:s:0:1";

        // Replies: no slot, a slot out of range, a stale generation, an unknown kind, a result with a junk id, a foreign side key.
        await db.StreamAddAsync(replies, [new("k", "result"), new("id", "1")]);
        await db.StreamAddAsync(replies, [new("s", "99"), new("g", "1"), new("k", "ready")]);
        await db.StreamAddAsync(replies, [new("s", "0"), new("g", "7"), new("k", "result"), new("id", "1"), new("p", "x")]);
        await db.StreamAddAsync(replies, [new("s", "0"), new("g", "1"), new("k", "bogus")]);
        await db.StreamAddAsync(replies, [new("s", "0"), new("g", "1"), new("k", "result"), new("id", "not-a-number")]);
        await db.StreamAddAsync(replies, [new("s", "0"), new("g", "1"), new("k", "result"), new("id", "123456"), new("pk", "elsewhere:secret")]);

        // The host's slot stream: an unknown kind, a job without a name, a job with a bad id, a foreign side key.
        await db.StreamAddAsync(stream, [new("k", "bogus")]);
        await db.StreamAddAsync(stream, [new("k", "job"), new("id", "5")]);
        await db.StreamAddAsync(stream, [new("k", "job"), new("id", "-1"), new("n", "fleet.where")]);
        await db.StreamAddAsync(stream, [new("k", "job"), new("id", "77"), new("n", "fleet.echo"), new("pk", "other:key")]);

        // Offers: garbage fields and values.
        await db.HashSetAsync($"{root}offers", [new("junk", "1:0"), new(new string('a', 32) + ":0", "x")]);
        await fleet.Admin.GetSubscriber().PublishAsync(RedisChannel.Literal($"{root}offers"), "ring");

        await host.Logs.WaitForAsync(325, m => m.Contains("unknown kind", StringComparison.Ordinal));
        await host.Logs.WaitForAsync(325, m => m.Contains("without a job name", StringComparison.Ordinal));
        await fleet.DispatcherLogs.WaitForAsync(301, m => m.Contains("no valid worker index", StringComparison.Ordinal));

        // Still serving, same slot, same host.
        Assert.StartsWith("host-a/", await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Guard), StringComparison.Ordinal);
        Assert.Equal(1, pool.GetStats().Completed);
        Assert.Equal("host-a", transport.GetWorkerHost(0));
    }

    [Fact]
    public async Task Dispose_LeavesOnlyExpiringKeys()
    {
        var fleet = new Fleet(server, Fleet.ShortLease, output);
        try
        {
            await fleet.StartHostAsync("host-a", slots: 2);
            (WorkerPool pool, _) = await fleet.StartPoolAsync(workers: 2);
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => pool.DispatchAsync<WhereJob, int, string>(i).AsTask())).WaitAsync(Guard);
            await pool.StopAsync(PoolShutdownMode.Drain).WaitAsync(Guard);
            await pool.DisposeAsync();

            // Documented: only the old slot streams remain, with a time-to-live, so hosts still read their abandon entry.
            Dictionary<string, long> keys = await fleet.KeysAsync();
            Assert.All(keys, k => Assert.True(k.Value > 0, $"{k.Key} has no time-to-live"));
            Assert.All(keys.Keys, k => Assert.Matches(@":d:[0-9a-f]{32}:s:\d+:\d+$", k));
        }
        finally
        {
            await fleet.DisposeAsync();
        }
    }
}

/// <summary>An IProgress that reports on the delivering thread.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
