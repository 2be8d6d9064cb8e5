namespace Awsm.Scheduler.Serialization;

/// <summary>
/// Turns values of <typeparamref name="T"/> into bytes and back, for transports that cross a boundary.
/// Implement it to plug in another serializer; <see cref="JobCodecs"/> has the built-in ones.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public abstract class JobCodec<T>
{
    /// <summary>Encodes a value. The returned memory is handed to the transport, which may transfer it without copying.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The encoded bytes.</returns>
    public abstract ReadOnlyMemory<byte> Encode(T value);

    /// <summary>Decodes a value from bytes produced by <see cref="Encode"/>.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <returns>The decoded value.</returns>
    public abstract T Decode(ReadOnlyMemory<byte> data);

    /// <summary>Gets a value indicating whether <see cref="Encode"/> always returns a new buffer that nobody else holds.</summary>
    internal virtual bool EncodesIntoNewBuffer => false;
}
