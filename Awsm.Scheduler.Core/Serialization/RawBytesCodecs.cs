namespace Awsm.Scheduler.Serialization;

/// <summary>Passes a <see cref="T:byte[]"/> through untouched, so a transport can transfer it instead of base64-encoding it.</summary>
internal sealed class ByteArrayCodec : JobCodec<byte[]>
{
    public static readonly ByteArrayCodec Instance = new();

    public override ReadOnlyMemory<byte> Encode(byte[] value) => value;

    public override byte[] Decode(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();
}

/// <summary>Passes a <see cref="ReadOnlyMemory{T}"/> of bytes through untouched.</summary>
internal sealed class MemoryCodec : JobCodec<ReadOnlyMemory<byte>>
{
    public static readonly MemoryCodec Instance = new();

    public override ReadOnlyMemory<byte> Encode(ReadOnlyMemory<byte> value) => value;

    public override ReadOnlyMemory<byte> Decode(ReadOnlyMemory<byte> data) => data;
}
