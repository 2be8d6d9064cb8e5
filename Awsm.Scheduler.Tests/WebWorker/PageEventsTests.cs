using Awsm.Scheduler.Transport;
using Awsm.Scheduler.WebWorker.Internal;

namespace Awsm.Scheduler.Tests.WebWorker;

/// <summary>
/// The page module's events translated, with no state: which incarnation is heard and how many outcomes a start has
/// is the pool's writer's business (WorkerEventWriterTests).
/// </summary>
public sealed class PageEventsTests
{
    [Theory]
    [InlineData("ready", WorkerEventKind.Ready)]
    [InlineData("init-error", WorkerEventKind.InitError)]
    [InlineData(PageEvents.CrashKind, WorkerEventKind.Crashed)]
    public void Translate_LifecycleKinds_BecomeTheirEvents(string kind, WorkerEventKind expected)
    {
        WorkerEvent e = Translate(1, kind);

        Assert.Equal((expected, 1), (e.Kind, e.WorkerIndex));
    }

    [Fact]
    public void Translate_InitErrorWithStack_CarriesReasonAndStack()
    {
        WorkerEvent e = Translate(0, "init-error", message: "HttpError: GET /x/dotnet.js -> HTTP 404", stack: "at import");

        Assert.Equal(WorkerEventKind.InitError, e.Kind);
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
        Assert.Contains("at import", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_ResultWithPayload_IsAResult()
    {
        WorkerEvent e = PageEvents.Translate(0, "result", "42", new byte[] { 1, 2, 3 }, null, null, null, null);

        Assert.Equal((WorkerEventKind.Result, 42L), (e.Kind, e.JobId.Value));
        Assert.Equal(new byte[] { 1, 2, 3 }, e.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Translate_ErrorEnvelope_CarriesKindTypeAndMessage()
    {
        WorkerEvent e = PageEvents.Translate(0, "error", "9", default, "unknown-job", "page-only", "no such job", null);

        Assert.Equal((WorkerEventKind.Error, JobErrorKind.UnknownJob, "page-only"), (e.Kind, e.ErrorKind, e.ErrorType));
    }

    [Fact]
    public void Translate_ProgressWithAValidId_IsAProgressEventWithItsPayload()
    {
        WorkerEvent e = PageEvents.Translate(0, WireProtocol.ProgressKind, "42", new byte[] { 0x30 }, null, null, null, null);

        Assert.Equal((WorkerEventKind.Progress, 42L), (e.Kind, e.JobId.Value));
        Assert.Equal(new byte[] { 0x30 }, e.Payload.Bytes.ToArray());
    }

    [Theory]
    [InlineData("weird", "1")]
    [InlineData("result", "abc")]
    [InlineData("error", "-5")]
    [InlineData(null, null)]
    [InlineData(PageEvents.MalformedKind, null)]
    [InlineData(WireProtocol.ProgressKind, "not-an-id")]
    [InlineData(WireProtocol.ProgressKind, null)]
    public void Translate_UnparseableEnvelope_IsMalformed(string? kind, string? id)
    {
        WorkerEvent e = PageEvents.Translate(0, kind, id, default, "job-failed", "T", "m", null);

        Assert.Equal(WorkerEventKind.Malformed, e.Kind);
    }

    private static WorkerEvent Translate(int index, string kind, string? message = null, string? stack = null) =>
        PageEvents.Translate(index, kind, null, default, null, null, message, stack);
}
