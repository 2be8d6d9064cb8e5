using System.Text;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Transport;
using Awsm.Scheduler.WebWorker.Internal;

namespace Awsm.Scheduler.Tests.WebWorker;

public sealed class WorkerEndpointTests
{
    [Fact]
    public void OnJob_RegisteredJob_RepliesWithTheEncodedResult()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 3, null, sink);

        endpoint.OnJob("12", UpperJob.Name, Encoding.UTF8.GetBytes("\"abc\""), null, null);

        (string id, byte[] payload) = Assert.Single(sink.Results);
        Assert.Equal("12", id);
        Assert.Equal("\"ABC@3\"", Encoding.UTF8.GetString(payload));
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public void OnJob_RawBytesJob_RepliesWithRawBytes()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 0, null, sink);

        endpoint.OnJob("5", ReverseJob.Name, [1, 2, 3], null, null);

        Assert.Equal(new byte[] { 3, 2, 1 }, Assert.Single(sink.Results).Payload);
    }

    [Fact]
    public void OnJob_UnknownName_RepliesUnknownJob()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 0, null, sink);

        endpoint.OnJob("7", "nope", [], null, null);

        var error = Assert.Single(sink.Errors);
        Assert.Equal("7", error.Id);
        Assert.Equal("unknown-job", error.Kind);
    }

    [Fact]
    public void OnJob_JobThrows_RepliesJobFailedWithTypeMessageAndStack()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 0, null, sink);

        endpoint.OnJob("8", ThrowJob.Name, Encoding.UTF8.GetBytes("\"bad\""), null, null);

        var error = Assert.Single(sink.Errors);
        Assert.Equal("job-failed", error.Kind);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.Type);
        Assert.Equal("bad", error.Message);
        Assert.NotNull(error.Stack);
    }

    [Fact]
    public void OnJob_MissingName_RepliesAnErrorForThatId()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 0, null, sink);

        endpoint.OnJob("9", null, [], null, null);

        Assert.Equal("9", Assert.Single(sink.Errors).Id);
    }

    [Fact]
    public void OnJob_MalformedId_IsReportedAsAProblemNotAReply()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 0, null, sink);

        endpoint.OnJob("x1", UpperJob.Name, [], null, null);
        endpoint.OnCancel(null);

        Assert.Empty(sink.Results);
        Assert.Empty(sink.Errors);
        Assert.Equal(2, sink.Problems.Count);
    }

    [Fact]
    public async Task OnCancel_RunningJob_FiresItsTokenAndRepliesCanceled()
    {
        var sink = new RecordingSink();
        var endpoint = new WorkerEndpoint(Registry(), 0, null, sink);

        endpoint.OnJob("21", WaitForeverJob.Name, [], null, null);
        Assert.Equal(1, endpoint.RunningJobs);
        endpoint.OnCancel("21");

        await sink.ErrorArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var error = Assert.Single(sink.Errors);
        Assert.Equal("canceled", error.Kind);
        Assert.Equal(0, endpoint.RunningJobs);
    }

    private static JobRegistry Registry() => new JobRegistry()
        .Add<UpperJob, string, string>(JobCodecs.For<string>(TestJson.Default), JobCodecs.For<string>(TestJson.Default))
        .Add<ThrowJob, string, string>(JobCodecs.For<string>(TestJson.Default), JobCodecs.For<string>(TestJson.Default))
        .Add<ReverseJob, byte[], byte[]>(TestJson.Default)
        .Add<WaitForeverJob, byte[], byte[]>(TestJson.Default);

    private sealed class UpperJob : IWorkerJob<string, string>
    {
        public static string Name => "upper";

        public static ValueTask<string> ExecuteAsync(string input, JobContext context) => ValueTask.FromResult($"{input.ToUpperInvariant()}@{context.WorkerIndex}");
    }

    private sealed class ThrowJob : IWorkerJob<string, string>
    {
        public static string Name => "throw";

        public static ValueTask<string> ExecuteAsync(string input, JobContext context) => throw new InvalidOperationException(input);
    }

    private sealed class ReverseJob : IWorkerJob<byte[], byte[]>
    {
        public static string Name => "reverse";

        public static ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context) => ValueTask.FromResult(input.Reverse().ToArray());
    }

    private sealed class WaitForeverJob : IWorkerJob<byte[], byte[]>
    {
        public static string Name => "wait-forever";

        public static async ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return input;
        }
    }

    private sealed class RecordingSink : IWorkerReplySink
    {
        public List<(string Id, byte[] Payload)> Results { get; } = [];

        public List<(string Id, string Kind, string Type, string Message, string? Stack)> Errors { get; } = [];

        public List<string> Problems { get; } = [];

        public List<(long Id, byte[] Payload)> Progress { get; } = [];

        public TaskCompletionSource ErrorArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Result(string id, ReadOnlySpan<byte> payload)
        {
            lock (Results)
            {
                Results.Add((id, payload.ToArray()));
            }
        }

        void IWorkerReplySink.Progress(long id, ReadOnlySpan<byte> payload)
        {
            lock (Progress)
            {
                Progress.Add((id, payload.ToArray()));
            }
        }

        public void Error(string id, string errorKind, string errorType, string message, string? stack)
        {
            lock (Errors)
            {
                Errors.Add((id, errorKind, errorType, message, stack));
            }

            ErrorArrived.TrySetResult();
        }

        public void Problem(string description) => Problems.Add(description);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
