using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Internal.Pool;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// The per-worker ledger (issue "Core v2"): its capacity, the ids that name its entries, and the guards that keep a
/// stale entry or a late reply from reaching a later job. Each test names the guard it would catch missing.
/// </summary>
public sealed class WorkerLedgerTests
{
    [Fact]
    public void TryReserve_AsManyAsTheCapacity_ThenFullUntilAnEntryIsReleased()
    {
        var ledger = new WorkerLedger(worker: 3, capacity: 70);
        var entries = new HashSet<int>();
        for (int i = 0; i < 70; i++)
        {
            Assert.True(ledger.TryReserve(out int entry));
            Assert.True(entries.Add(entry), $"entry {entry} was handed out twice");
        }

        Assert.False(ledger.TryReserve(out _));
        Assert.Equal(70, ledger.Count);

        ledger.Release(65);
        Assert.True(ledger.TryReserve(out int again));
        Assert.Equal(65, again);
    }

    [Fact]
    public void NextId_SameEntryUsedAgain_NewIdThatStillNamesTheWorkerAndTheEntry()
    {
        var ledger = new WorkerLedger(worker: 4095, capacity: WorkerLedger.MaxEntries);
        Assert.True(ledger.TryReserve(out int entry));
        JobId first = ledger.NextId(entry);
        JobId second = ledger.NextId(entry);

        Assert.NotEqual(first, second);
        foreach (JobId id in new[] { first, second })
        {
            Assert.True(WorkerLedger.TryDecode(id, out int worker, out int decoded));
            Assert.Equal((4095, entry), (worker, decoded));
            Assert.InRange(id.Value, 1, (1L << 53) - 1); // survives a JavaScript number
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(12345L)] // epoch 0: never handed out
    public void TryDecode_IdNoLedgerHandsOut_False(long value) => Assert.False(WorkerLedger.TryDecode(new JobId(value), out _, out _));

    [Fact]
    public void TryFind_ReplyForAnEntryReusedByALaterJob_FindsNothingAndTheLaterJobStaysFindable()
    {
        // Guard: the reply's id is compared with the id the entry's job was sent under (not just the entry).
        var ledger = new WorkerLedger(worker: 0, capacity: 1);
        (PendingJob first, long firstGeneration, JobId firstId) = Send(ledger, "first");
        Assert.True(first.TryMarkDone(firstGeneration, out bool wasSent, byReply: true));
        Assert.True(wasSent);
        Assert.True(WorkerLedger.TryDecode(firstId, out _, out int entry));
        ledger.Release(entry);

        (PendingJob second, _, JobId secondId) = Send(ledger, "second");

        Assert.False(ledger.TryFind(firstId, out _, out _));
        Assert.True(ledger.TryFind(secondId, out PendingJob found, out _));
        Assert.Same(second, found);
    }

    [Fact]
    public void TryFind_IdOfAnotherWorker_FindsNothing()
    {
        var mine = new WorkerLedger(worker: 0, capacity: 4);
        var other = new WorkerLedger(worker: 1, capacity: 4);
        (_, _, JobId id) = Send(other, "elsewhere");
        _ = Send(mine, "here");

        Assert.False(mine.TryFind(id, out _, out _));
        Assert.True(other.TryFind(id, out _, out _));
    }

    [Fact]
    public async Task Snapshot_EntryStillReferencesAJobSentElsewhereSince_TakesTheJobOnceFromItsCurrentEntry()
    {
        // Guard: a sweep takes a job only if it was sent to this very entry. An entry keeps its last job's reference
        // after release, and that instance may since serve a later dispatch sent to another entry.
        var ledger = new WorkerLedger(worker: 0, capacity: 2);
        (PendingJob<int> first, long generation, JobId id) = Send(ledger, "first");
        Assert.True(first.TryMarkDone(generation, out _, byReply: true));
        Assert.Null(first.TryDecodeOutput(JobPayload.FromValue(2)));
        first.SetDecodedResult();
        Assert.Equal(2, await first.Task); // completed: no yield, and the instance is this thread's spare again
        Assert.True(WorkerLedger.TryDecode(id, out _, out int oldEntry));
        ledger.Release(oldEntry);
        Assert.True(ledger.TryReserve(out int held)); // a sender holds the old entry and has not published its job yet
        Assert.Equal(oldEntry, held);

        (PendingJob<int> reused, long current, _) = Send(ledger, "reused");
        Assert.Same(first, reused);

        PendingRef swept = Assert.Single(ledger.Snapshot());
        Assert.Equal((reused, current), (swept.Job, swept.Generation));
    }

    [Fact]
    public void EndSending_ReplyEndedTheJobWhileItWasSending_TheJobStaysEnded()
    {
        // Guard: the end of a send is a compare-exchange; a plain write would bring the job back from Done to Sent,
        // and a timeout could then end it a second time.
        var ledger = new WorkerLedger(worker: 0, capacity: 1);
        Assert.True(ledger.TryReserve(out int entry));
        PendingJob<int> job = PendingJob<int>.Rent("racing", JobPayload.FromValue(1), 0, new Int32Decoder(), progress: null);
        long generation = job.Generation;
        Assert.True(job.TryBeginSend(generation));
        job.SetSent(ledger.NextId(entry), 0, 0, releasePayload: false);
        ledger.Publish(entry, job);

        Assert.True(job.TryMarkDone(generation, out bool wasSent, byReply: true)); // the worker answered at once
        job.EndSending(generation);

        Assert.True(wasSent);
        Assert.True(job.IsDone(generation));
        Assert.False(job.TryMarkDone(generation, out _));
    }

    private static (PendingJob<int> Job, long Generation, JobId Id) Send(WorkerLedger ledger, string name)
    {
        Assert.True(ledger.TryReserve(out int entry));
        PendingJob<int> job = PendingJob<int>.Rent(name, JobPayload.FromValue(1), 0, new Int32Decoder(), progress: null);
        long generation = job.Generation;
        Assert.True(job.TryBeginSend(generation));
        JobId id = ledger.NextId(entry);
        job.SetSent(id, 0, 0, releasePayload: false);
        ledger.Publish(entry, job);
        job.EndSending(generation);
        return (job, generation, id);
    }

    private sealed class Int32Decoder : IJobOutputDecoder<int>
    {
        public int DecodeOutput(JobPayload payload) => (int)payload.Value!;
    }
}
