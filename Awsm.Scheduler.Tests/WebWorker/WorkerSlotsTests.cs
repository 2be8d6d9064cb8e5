using Awsm.Scheduler.Transport;
using Awsm.Scheduler.WebWorker.Internal;

namespace Awsm.Scheduler.Tests.WebWorker;

public sealed class WorkerSlotsTests
{
    [Fact]
    public void TryAccept_ReadyWhileStarting_IsReadyOnce()
    {
        var slots = new WorkerSlots(2);
        int gen = slots.BeginStart(1);

        Assert.True(Accept(slots, 1, gen, "ready", out WorkerEvent first));
        Assert.Equal(WorkerEventKind.Ready, first.Kind);
        Assert.Equal(1, first.WorkerIndex);

        Assert.True(Accept(slots, 1, gen, "ready", out WorkerEvent second));
        Assert.Equal(WorkerEventKind.Malformed, second.Kind);
    }

    [Fact]
    public void TryAccept_EventFromAReplacedIncarnation_IsDropped()
    {
        var slots = new WorkerSlots(1);
        int old = slots.BeginStart(0);
        int current = slots.BeginStart(0);

        Assert.NotEqual(old, current);
        Assert.False(Accept(slots, 0, old, "result", out _, id: "7"));
        Assert.True(Accept(slots, 0, current, "ready", out _));
    }

    [Fact]
    public void TryAccept_AfterTerminate_NothingIsDelivered()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Accept(slots, 0, gen, "ready", out _);

        Assert.True(slots.Terminate(0));
        Assert.False(slots.IsLive(0));
        Assert.False(Accept(slots, 0, gen, "result", out _, id: "1"));
        Assert.False(Accept(slots, 0, gen, "crash", out _));
    }

    [Fact]
    public void TryAccept_CrashAfterReady_IsCrashedOnceThenSilence()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Accept(slots, 0, gen, "ready", out _);

        Assert.True(Accept(slots, 0, gen, "crash", out WorkerEvent crash, message: "uncaught error"));
        Assert.Equal(WorkerEventKind.Crashed, crash.Kind);
        Assert.Equal("uncaught error", crash.Message);
        Assert.False(Accept(slots, 0, gen, "crash", out _));
        Assert.False(Accept(slots, 0, gen, "result", out _, id: "3"));
    }

    [Fact]
    public void TryAccept_CrashWhileStarting_IsAnInitError()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);

        Assert.True(Accept(slots, 0, gen, "crash", out WorkerEvent e, message: "script failed"));
        Assert.Equal(WorkerEventKind.InitError, e.Kind);
    }

    [Fact]
    public void TryAccept_InitErrorWithStack_CarriesReasonAndStack()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);

        Assert.True(Accept(slots, 0, gen, "init-error", out WorkerEvent e, message: "HttpError: GET /x/dotnet.js -> HTTP 404", stack: "at import"));
        Assert.Equal(WorkerEventKind.InitError, e.Kind);
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
        Assert.Contains("at import", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAccept_ResultWithPayload_IsAResult()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Accept(slots, 0, gen, "ready", out _);

        Assert.True(slots.TryAccept(0, gen, "result", "42", new byte[] { 1, 2, 3 }, null, null, null, null, out WorkerEvent e));
        Assert.Equal(WorkerEventKind.Result, e.Kind);
        Assert.Equal(42, e.JobId.Value);
        Assert.Equal(new byte[] { 1, 2, 3 }, e.Payload.Bytes.ToArray());
    }

    [Fact]
    public void TryAccept_ErrorEnvelope_CarriesKindTypeMessageAndStack()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Accept(slots, 0, gen, "ready", out _);

        Assert.True(slots.TryAccept(0, gen, "error", "9", default, "unknown-job", "page-only", "no such job", null, out WorkerEvent e));
        Assert.Equal(WorkerEventKind.Error, e.Kind);
        Assert.Equal(JobErrorKind.UnknownJob, e.ErrorKind);
        Assert.Equal("page-only", e.ErrorType);
    }

    [Theory]
    [InlineData("weird", "1")]
    [InlineData("result", "abc")]
    [InlineData("error", "-5")]
    [InlineData(null, null)]
    [InlineData(WorkerSlots.MalformedKind, null)]
    public void TryAccept_UnparseableEnvelope_IsMalformed(string? kind, string? id)
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Accept(slots, 0, gen, "ready", out _);

        Assert.True(slots.TryAccept(0, gen, kind, id, default, "job-failed", "T", "m", null, out WorkerEvent e));
        Assert.Equal(WorkerEventKind.Malformed, e.Kind);
    }

    [Fact]
    public void TryAccept_IndexOutsideThePool_IsDropped()
    {
        var slots = new WorkerSlots(1);
        Assert.False(Accept(slots, 5, 1, "ready", out _));
        Assert.False(Accept(slots, -1, 1, "ready", out _));
    }

    [Fact]
    public void TryFailStart_StillStarting_ReportsInitErrorOnce()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);

        Assert.True(slots.TryFailStart(0, gen, "timeout", out WorkerEvent e));
        Assert.Equal(WorkerEventKind.InitError, e.Kind);
        Assert.False(slots.TryFailStart(0, gen, "timeout", out _));
        Assert.False(Accept(slots, 0, gen, "ready", out _)); // a late ready from the timed-out worker is dropped
    }

    [Fact]
    public void TryFailStart_AlreadyReadyOrReplaced_DoesNothing()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Accept(slots, 0, gen, "ready", out _);
        Assert.False(slots.TryFailStart(0, gen, "timeout", out _));

        int next = slots.BeginStart(0);
        Assert.False(slots.TryFailStart(0, gen, "timeout", out _));
        Assert.True(slots.TryFailStart(0, next, "timeout", out _));
    }

    [Fact]
    public void TryAccept_ProgressFromAReadyWorker_IsAProgressEventWithItsPayload()
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        Assert.True(Accept(slots, 0, gen, "ready", out _));

        Assert.True(slots.TryAccept(0, gen, WorkerSlots.ProgressKind, "42", new byte[] { 0x30 }, null, null, null, null, out WorkerEvent e));

        Assert.Equal(WorkerEventKind.Progress, e.Kind);
        Assert.Equal(42, e.JobId.Value);
        Assert.Equal(new byte[] { 0x30 }, e.Payload.Bytes.ToArray());
    }

    [Theory]
    [InlineData(false, "42")]
    [InlineData(true, "not-an-id")]
    [InlineData(true, null)]
    public void TryAccept_ProgressWhileStartingOrWithoutAValidId_IsMalformed(bool ready, string? id)
    {
        var slots = new WorkerSlots(1);
        int gen = slots.BeginStart(0);
        if (ready)
        {
            Assert.True(Accept(slots, 0, gen, "ready", out _));
        }

        Assert.True(slots.TryAccept(0, gen, WorkerSlots.ProgressKind, id, new byte[] { 1 }, null, null, null, null, out WorkerEvent e));

        Assert.Equal(WorkerEventKind.Malformed, e.Kind);
    }

    private static bool Accept(WorkerSlots slots, int index, int generation, string? kind, out WorkerEvent e, string? id = null, string? message = null, string? stack = null) =>
        slots.TryAccept(index, generation, kind, id, default, null, null, message, stack, out e);
}
