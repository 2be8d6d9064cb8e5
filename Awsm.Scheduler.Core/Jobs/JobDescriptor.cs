using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler;

/// <summary>What the registry knows about one job: its name, types and codecs, and how to run it on a worker.</summary>
public abstract class JobDescriptor
{
    private protected JobDescriptor(string name)
    {
        Name = name;
    }

    /// <summary>Gets the job's unique name.</summary>
    public string Name { get; }

    /// <summary>Gets the job's type (the class implementing <see cref="IWorkerJob{TInput, TOutput}"/>).</summary>
    public abstract Type JobType { get; }

    /// <summary>Gets the job's input type.</summary>
    public abstract Type InputType { get; }

    /// <summary>Gets the job's output type.</summary>
    public abstract Type OutputType { get; }

    /// <summary>
    /// Runs the job on a worker: decodes the input (if encoded), executes, and encodes the output the same way the input came.
    /// Codec failures surface as <see cref="CodecFailureException"/>; the job's own exceptions propagate unchanged.
    /// </summary>
    /// <summary>Gets the type of the job's progress values, or <see langword="null"/> if it reports none.</summary>
    public Type? ProgressType => Progress?.ProgressType;

    /// <summary>
    /// Gets the job's own timeout (<see cref="JobRegistry.SetTimeout{TJob}(TimeSpan)"/>), used by dispatches that do not
    /// set one; <see langword="null"/> for the pool's.
    /// </summary>
    public TimeSpan? Timeout { get; internal set; }

    /// <summary>
    /// Gets how many jobs of this type a pool runs at once, across its workers
    /// (<see cref="JobRegistry.SetMaxConcurrency{TJob}(int)"/>); 0 for no cap.
    /// </summary>
    public int MaxConcurrency { get; internal set; }

    /// <summary>Gets or sets the codec of the job's progress values; set once, at registration.</summary>
    internal Internal.ProgressCodec? Progress { get; set; }

    internal abstract ValueTask<JobPayload> RunAsync(JobPayload input, JobContext context);
}

/// <summary>A descriptor that knows the input and output types, used on the dispatching side.</summary>
internal abstract class JobDescriptor<TInput, TOutput> : JobDescriptor, Internal.IJobOutputDecoder<TOutput>
{
    private protected JobDescriptor(string name, Serialization.JobCodec<TInput> inputCodec, Serialization.JobCodec<TOutput> outputCodec)
        : base(name)
    {
        InputCodec = inputCodec;
        OutputCodec = outputCodec;
    }

    public Serialization.JobCodec<TInput> InputCodec { get; }

    public Serialization.JobCodec<TOutput> OutputCodec { get; }

    public override Type InputType => typeof(TInput);

    public override Type OutputType => typeof(TOutput);

    /// <summary>Wraps the input for the transport, encoding it when the transport crosses a boundary.</summary>
    public JobPayload EncodeInput(TInput input, bool encode)
    {
        if (!encode)
        {
            return JobPayload.FromValue(input);
        }

        try
        {
            ReadOnlyMemory<byte> bytes = InputCodec.Encode(input);
            return InputCodec.EncodesIntoNewBuffer ? JobPayload.FromOwnedBytes(bytes) : JobPayload.FromBytes(bytes);
        }
        catch (Exception ex) when (IsCodecException(ex))
        {
            throw new JobSerializationException(Name, typeof(TInput).FullName!, SerializationDirection.Input, ex.Message, ex);
        }
    }

    /// <summary>Unwraps the output the worker sent back.</summary>
    public TOutput DecodeOutput(JobPayload payload)
    {
        if (!payload.IsEncoded)
        {
            return (TOutput)payload.Value!;
        }

        try
        {
            return OutputCodec.Decode(payload.Bytes);
        }
        catch (Exception ex) when (IsCodecException(ex))
        {
            throw new JobSerializationException(Name, typeof(TOutput).FullName!, SerializationDirection.Output, ex.Message, ex);
        }
    }

    protected TInput DecodeInput(JobPayload payload)
    {
        if (!payload.IsEncoded)
        {
            return (TInput)payload.Value!;
        }

        try
        {
            return InputCodec.Decode(payload.Bytes);
        }
        catch (Exception ex) when (IsCodecException(ex))
        {
            throw new CodecFailureException(typeof(TInput), SerializationDirection.Input, ex);
        }
    }

    protected JobPayload EncodeOutput(TOutput output, bool encode)
    {
        if (!encode)
        {
            return JobPayload.FromValue(output);
        }

        try
        {
            ReadOnlyMemory<byte> bytes = OutputCodec.Encode(output);
            return OutputCodec.EncodesIntoNewBuffer ? JobPayload.FromOwnedBytes(bytes) : JobPayload.FromBytes(bytes);
        }
        catch (Exception ex) when (IsCodecException(ex))
        {
            throw new CodecFailureException(typeof(TOutput), SerializationDirection.Output, ex);
        }
    }

    private static bool IsCodecException(Exception ex) => ex is not OperationCanceledException and not OutOfMemoryException;
}

/// <summary>The descriptor of a concrete job type.</summary>
internal sealed class JobDescriptor<TJob, TInput, TOutput> : JobDescriptor<TInput, TOutput>
    where TJob : IWorkerJob<TInput, TOutput>
{
    public JobDescriptor(Serialization.JobCodec<TInput> inputCodec, Serialization.JobCodec<TOutput> outputCodec)
        : base(TJob.Name, inputCodec, outputCodec)
    {
    }

    public override Type JobType => typeof(TJob);

    internal override ValueTask<JobPayload> RunAsync(JobPayload input, JobContext context)
    {
        bool encode = input.IsEncoded;
        ValueTask<TOutput> execution = TJob.ExecuteAsync(DecodeInput(input), context);
        return execution.IsCompletedSuccessfully
            ? new ValueTask<JobPayload>(EncodeOutput(execution.Result, encode))
            : AwaitAsync(execution, encode);
    }

    private async ValueTask<JobPayload> AwaitAsync(ValueTask<TOutput> execution, bool encode) =>
        EncodeOutput(await execution.ConfigureAwait(false), encode);
}

/// <summary>Thrown inside the worker runtime when a codec fails, so it is told apart from the job's own exceptions.</summary>
internal sealed class CodecFailureException(Type type, SerializationDirection direction, Exception inner)
    : Exception($"Could not {(direction == SerializationDirection.Input ? "decode the input" : "encode the output")} of type '{type.FullName}': {inner.Message}", inner)
{
    public Type Type { get; } = type;

    public SerializationDirection Direction { get; } = direction;
}
