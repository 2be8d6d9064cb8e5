using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Core;

public sealed class WireProtocolTests
{
    [Theory]
    [InlineData("1", true, 1L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("0", false, 0L)]
    [InlineData("-1", false, 0L)]
    [InlineData(" 1", false, 0L)]
    [InlineData("1e3", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData(null, false, 0L)]
    public void JobIdTryParse_DecimalText_AcceptsOnlyPositive64BitIntegers(string? text, bool ok, long value)
    {
        Assert.Equal(ok, JobId.TryParse(text, out JobId id));
        Assert.Equal(value, id.Value);
    }

    [Fact]
    public void JobIdToString_LargeId_IsExactDecimalBeyondJavaScriptSafeIntegers()
    {
        var id = new JobId((1L << 53) + 1);

        Assert.Equal("9007199254740993", id.ToString());
    }

    [Theory]
    [InlineData(JobErrorKind.JobFailed)]
    [InlineData(JobErrorKind.UnknownJob)]
    [InlineData(JobErrorKind.InputSerialization)]
    [InlineData(JobErrorKind.OutputSerialization)]
    [InlineData(JobErrorKind.Canceled)]
    public void ErrorKind_ToWireAndBack_RoundTrips(JobErrorKind kind)
    {
        Assert.True(WireProtocol.TryParseErrorKind(WireProtocol.ToWire(kind), out JobErrorKind parsed));
        Assert.Equal(kind, parsed);
    }

    [Fact]
    public void ParseEvent_Result_CarriesIdAndPayload()
    {
        WorkerEvent e = WireProtocol.ParseEvent(3, "result", "42", new byte[] { 7 });

        Assert.Equal(WorkerEventKind.Result, e.Kind);
        Assert.Equal(3, e.WorkerIndex);
        Assert.Equal(42, e.JobId.Value);
        Assert.Equal(new byte[] { 7 }, e.Payload.Bytes.ToArray());
    }

    [Theory]
    [InlineData("what", "1", null)]
    [InlineData("result", "x", null)]
    [InlineData("error", "1", "no-such-kind")]
    [InlineData(null, null, null)]
    public void ParseEvent_Garbage_IsMalformedNeverThrows(string? kind, string? id, string? errorKind)
    {
        WorkerEvent e = WireProtocol.ParseEvent(0, kind, id, default, errorKind);

        Assert.Equal(WorkerEventKind.Malformed, e.Kind);
        Assert.False(string.IsNullOrEmpty(e.Message));
    }

    [Fact]
    public void ParseEvent_HugeKind_DescriptionIsTruncated()
    {
        WorkerEvent e = WireProtocol.ParseEvent(0, new string('k', 100_000), "1", default);

        Assert.True(e.Message!.Length < 200);
    }

    [Fact]
    public void TryParseMessage_JobWithoutName_IsRejected()
    {
        Assert.False(WireProtocol.TryParseMessage("job", "1", null, default, null, null, out _, out string? problem));
        Assert.Contains("without a job name", problem);
    }

    [Fact]
    public void TryParseMessage_Cancel_ParsesId()
    {
        Assert.True(WireProtocol.TryParseMessage("cancel", "12", null, default, null, null, out WorkerMessage message, out _));
        Assert.Equal(WorkerMessageKind.Cancel, message.Kind);
        Assert.Equal(12, message.JobId.Value);
    }
}
