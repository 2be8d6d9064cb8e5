using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Awsm.Scheduler.Serialization;

/// <summary>A <see cref="JobCodec{T}"/> on System.Text.Json, driven by a (preferably source-generated) <see cref="JsonTypeInfo{T}"/>.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonJobCodec<T> : JobCodec<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates the codec.</summary>
    /// <param name="typeInfo">The type's metadata, for example <c>MyJsonContext.Default.MyInput</c>.</param>
    public JsonJobCodec(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc />
    public override ReadOnlyMemory<byte> Encode(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo);

    /// <inheritdoc />
    internal override bool EncodesIntoNewBuffer => true;

    /// <inheritdoc />
    public override T Decode(ReadOnlyMemory<byte> data) => JsonSerializer.Deserialize(data.Span, _typeInfo)!;
}
