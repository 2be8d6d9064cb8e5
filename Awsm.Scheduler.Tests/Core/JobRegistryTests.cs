using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Support;

namespace Awsm.Scheduler.Tests.Core;

public sealed class JobRegistryTests
{
    private sealed class OtherAddOneJob : IWorkerJob<string, string>
    {
        public static string Name => AddOneJob.Name;

        public static ValueTask<string> ExecuteAsync(string input, JobContext context) => ValueTask.FromResult(input);
    }

    private sealed class NamelessJob : IWorkerJob<int, int>
    {
        public static string Name => " ";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input);
    }

    [Fact]
    public void Add_SameNameDifferentJobType_ThrowsNamingBothTypes()
    {
        var registry = new JobRegistry().Add<AddOneJob, int, int>(TestJsonContext.Default);

        var error = Assert.Throws<InvalidOperationException>(() => registry.Add<OtherAddOneJob, string, string>(TestJsonContext.Default));

        Assert.Contains(typeof(AddOneJob).FullName!, error.Message);
        Assert.Contains(nameof(OtherAddOneJob), error.Message);
    }

    [Fact]
    public void Add_SameJobTwice_IsIdempotent()
    {
        var registry = new JobRegistry()
            .Add<AddOneJob, int, int>(TestJsonContext.Default)
            .Add<AddOneJob, int, int>(TestJsonContext.Default);

        Assert.Single(registry.Jobs);
    }

    [Fact]
    public void Add_EmptyName_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new JobRegistry().Add<NamelessJob, int, int>(TestJsonContext.Default));
    }

    [Fact]
    public void Add_TypeMissingFromJsonContext_ThrowsNamingTheType()
    {
        var error = Assert.Throws<ArgumentException>(() => new JobRegistry().Add<UnserializableOutputJob, int, TypeHolder>(TestJsonContext.Default));

        Assert.Contains(typeof(TypeHolder).FullName!, error.Message);
    }

    [Fact]
    public void TryGet_RegisteredName_ReturnsDescriptorWithTypes()
    {
        var registry = new JobRegistry().Add<SumJob, SumInput, SumOutput>(TestJsonContext.Default);

        Assert.True(registry.TryGet(SumJob.Name, out JobDescriptor? descriptor));
        Assert.Equal(typeof(SumJob), descriptor.JobType);
        Assert.Equal(typeof(SumInput), descriptor.InputType);
        Assert.Equal(typeof(SumOutput), descriptor.OutputType);
        Assert.False(registry.TryGet("nope", out _));
    }

    [Fact]
    public void For_ByteArrayAndMemory_UseRawCodecsThatDoNotCopy()
    {
        byte[] data = [1, 2, 3];

        ReadOnlyMemory<byte> encoded = JobCodecs.For<byte[]>(TestJsonContext.Default).Encode(data);
        byte[] decoded = JobCodecs.For<byte[]>(TestJsonContext.Default).Decode(encoded);

        Assert.Same(data, decoded);
        Assert.Equal(data, JobCodecs.For<ReadOnlyMemory<byte>>(TestJsonContext.Default).Decode(data).ToArray());
    }

    [Fact]
    public void Json_RecordRoundTrip_PreservesValue()
    {
        JobCodec<SumInput> codec = JobCodecs.Json(TestJsonContext.Default.SumInput);

        SumInput decoded = codec.Decode(codec.Encode(new SumInput([4, 5])));

        Assert.Equal([4, 5], decoded.Values);
    }
}
