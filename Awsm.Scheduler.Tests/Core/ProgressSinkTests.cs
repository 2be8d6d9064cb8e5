using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// The worker side of progress: at most one report per interval reaches the transport (the first at once, later ones
/// coalesced and flushed by a timer). Regression: a report sent at once did not cancel the flush timer an earlier
/// report had armed, so that timer fired less than an interval after the send (8 reports in 229 ms, some 2-5 ms apart).
/// </summary>
public sealed class ProgressSinkTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Report_TimerLateAndAReportSentAtOnce_NextFlushWaitsAWholeIntervalFromThatSend()
    {
        var time = new FakeTimeProvider();
        var sent = new List<(TimeSpan At, int Value)>();
        DateTimeOffset origin = time.GetUtcNow();
        using var sink = new ProgressSink(new ProgressCodec<int>("count", JobCodecs.Json(TestJsonContext.Default.Int32)), new JobId(1), 0, encode: false, e => sent.Add((time.GetUtcNow() - origin, (int)e.Payload.Value!)), time, Interval);

        sink.Report(1);                                 // t=0: sent at once
        time.Advance(TimeSpan.FromMilliseconds(10));
        sink.Report(2);                                 // t=10: coalesced, a flush armed for t=50
        time.AdjustTime(origin + TimeSpan.FromMilliseconds(100)); // the flush is late: the clock passes t=50 without it
        sink.Report(3);                                 // t=100: an interval since the last send, so sent at once
        time.Advance(TimeSpan.FromMilliseconds(10));
        sink.Report(4);                                 // t=110: coalesced behind the send at t=100
        time.Advance(TimeSpan.FromMilliseconds(30));    // t=140: the stale flush (due t=50) must not send 4 now

        Assert.Equal([(TimeSpan.Zero, 1), (TimeSpan.FromMilliseconds(100), 3)], sent);

        time.Advance(TimeSpan.FromMilliseconds(10));    // t=150: an interval after the send at t=100
        Assert.Equal((TimeSpan.FromMilliseconds(150), 4), sent[^1]);
        Assert.Equal(3, sent.Count);
    }

    [Fact]
    public void Report_ManyReportsWithinAnInterval_OneFlushWithTheLatestValue()
    {
        var time = new FakeTimeProvider();
        var sent = new List<int>();
        using var sink = new ProgressSink(new ProgressCodec<int>("count", JobCodecs.Json(TestJsonContext.Default.Int32)), new JobId(1), 0, encode: false, e => sent.Add((int)e.Payload.Value!), time, Interval);

        sink.Report(1);
        for (int i = 2; i <= 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            sink.Report(i);
        }

        Assert.Equal([1], sent);
        time.Advance(Interval);
        Assert.Equal([1, 5], sent);
        time.Advance(Interval * 4);
        Assert.Equal([1, 5], sent);
    }

    [Fact]
    public void Dispose_ReportPending_NothingSentAfterTheJobEnded()
    {
        var time = new FakeTimeProvider();
        var sent = new List<int>();
        var sink = new ProgressSink(new ProgressCodec<int>("count", JobCodecs.Json(TestJsonContext.Default.Int32)), new JobId(1), 0, encode: false, e => sent.Add((int)e.Payload.Value!), time, Interval);

        sink.Report(1);
        time.Advance(TimeSpan.FromMilliseconds(10));
        sink.Report(2);
        sink.Dispose();
        time.Advance(Interval * 2);

        Assert.Equal([1], sent);
    }
}
