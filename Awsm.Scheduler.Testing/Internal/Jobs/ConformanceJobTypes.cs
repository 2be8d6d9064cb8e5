namespace Awsm.Scheduler.Testing.Internal.Jobs;

/// <summary>int → int + 1.</summary>
internal sealed class AddOneJob : IWorkerJob<int, int>
{
    public static string Name => "conformance.add-one";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input + 1);
}

/// <summary>Returns the index of the worker that ran it.</summary>
internal sealed class WhoAmIJob : IWorkerJob<int, int>
{
    public static string Name => "conformance.who-am-i";

    public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(context.WorkerIndex);
}

/// <summary>Returns its input.</summary>
internal sealed class EchoJob : IWorkerJob<string, string>
{
    public static string Name => "conformance.echo";

    public static ValueTask<string> ExecuteAsync(string input, JobContext context) => ValueTask.FromResult(input);
}

/// <summary>Throws an <see cref="InvalidOperationException"/> whose message is the input.</summary>
internal sealed class ThrowJob : IWorkerJob<string, int>
{
    public static string Name => "conformance.throw";

    public static ValueTask<int> ExecuteAsync(string input, JobContext context) => throw new InvalidOperationException(input);
}

/// <summary>Reverses a byte array (raw bytes both ways: no base64).</summary>
internal sealed class ReverseBytesJob : IWorkerJob<byte[], byte[]>
{
    public static string Name => "conformance.reverse-bytes";

    public static ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context)
    {
        byte[] copy = (byte[])input.Clone();
        Array.Reverse(copy);
        return ValueTask.FromResult(copy);
    }
}

/// <summary>A record in and out, through the source-generated JSON context.</summary>
internal sealed class SumJob : IWorkerJob<SumInput, SumOutput>
{
    public static string Name => "conformance.sum";

    public static ValueTask<SumOutput> ExecuteAsync(SumInput input, JobContext context) =>
        ValueTask.FromResult(new SumOutput(input.Values.Sum(v => (long)v), context.WorkerIndex));
}

/// <summary>Its output cannot be encoded (worker side, output direction).</summary>
internal sealed class UnencodableOutputJob : IWorkerJob<int, CodecProbe>
{
    public static string Name => "conformance.unencodable-output";

    public static ValueTask<CodecProbe> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(new CodecProbe());
}

/// <summary>Its input cannot be encoded (dispatching side, input direction).</summary>
internal sealed class UnencodableInputJob : IWorkerJob<CodecProbe, int>
{
    public static string Name => "conformance.unencodable-input";

    public static ValueTask<int> ExecuteAsync(CodecProbe input, JobContext context) => ValueTask.FromResult(1);
}

/// <summary>Its input is encoded but cannot be decoded (worker side, input direction).</summary>
internal sealed class UndecodableInputJob : IWorkerJob<CodecProbe, int>
{
    public static string Name => "conformance.undecodable-input";

    public static ValueTask<int> ExecuteAsync(CodecProbe input, JobContext context) => ValueTask.FromResult(1);
}
