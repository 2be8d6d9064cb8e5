using Awsm.Scheduler.Serialization;

namespace Awsm.Scheduler.Testing.Internal.Jobs;

/// <summary>A value the codec-failure jobs carry; only <see cref="FailingCodec"/> knows it.</summary>
internal sealed class CodecProbe;

/// <summary>A codec that fails on purpose, to encode or to decode, the way a serializer refuses a type.</summary>
internal sealed class FailingCodec : JobCodec<CodecProbe>
{
    private readonly bool _failEncode;

    private FailingCodec(bool failEncode)
    {
        _failEncode = failEncode;
    }

    /// <summary>Gets a codec whose <see cref="Encode"/> throws.</summary>
    public static FailingCodec FailsToEncode { get; } = new(failEncode: true);

    /// <summary>Gets a codec that encodes (one byte) but whose <see cref="Decode"/> throws.</summary>
    public static FailingCodec FailsToDecode { get; } = new(failEncode: false);

    public override ReadOnlyMemory<byte> Encode(CodecProbe value) =>
        _failEncode ? throw new NotSupportedException("conformance: this codec refuses to encode CodecProbe") : new byte[] { 1 };

    public override CodecProbe Decode(ReadOnlyMemory<byte> data) =>
        throw new NotSupportedException("conformance: this codec refuses to decode CodecProbe");
}
