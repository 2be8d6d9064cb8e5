namespace Awsm.Scheduler.Transport;

/// <summary>
/// A job's input or output as it travels: either encoded bytes (transports that cross a boundary) or the value
/// itself (pass-by-reference transports).
/// </summary>
public readonly struct JobPayload
{
    private JobPayload(ReadOnlyMemory<byte> bytes, object? value, bool isEncoded, bool isOwned = false)
    {
        Bytes = bytes;
        Value = value;
        IsEncoded = isEncoded;
        IsOwned = isOwned;
    }

    /// <summary>Gets the encoded bytes; empty when <see cref="IsEncoded"/> is <see langword="false"/>.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Gets the value passed by reference; <see langword="null"/> when <see cref="IsEncoded"/> is <see langword="true"/>.</summary>
    public object? Value { get; }

    /// <summary>Gets a value indicating whether the payload holds encoded bytes rather than a reference.</summary>
    public bool IsEncoded { get; }

    /// <summary>Wraps encoded bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The payload.</returns>
    public static JobPayload FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, null, isEncoded: true);

    /// <summary>
    /// Gets a value indicating whether the bytes are a buffer nobody else holds (a codec wrote them into a new array):
    /// a transport may then hand them over without the defensive copy it makes of bytes that may alias the caller's
    /// memory (a raw <see cref="T:byte[]"/> input, say).
    /// </summary>
    public bool IsOwned { get; }

    /// <summary>Wraps encoded bytes that nobody else holds (see <see cref="IsOwned"/>): the receiver may keep them.</summary>
    /// <param name="bytes">The bytes, in a buffer no one else references.</param>
    /// <returns>The payload.</returns>
    public static JobPayload FromOwnedBytes(ReadOnlyMemory<byte> bytes) => new(bytes, null, isEncoded: true, isOwned: true);

    /// <summary>Wraps a value passed by reference.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The payload.</returns>
    public static JobPayload FromValue(object? value) => new(default, value, isEncoded: false);
}
