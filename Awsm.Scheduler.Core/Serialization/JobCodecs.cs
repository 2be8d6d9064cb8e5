using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Awsm.Scheduler.Serialization;

/// <summary>The built-in codecs, and the rule that picks one for a type.</summary>
public static class JobCodecs
{
    /// <summary>
    /// Gets the codec for raw <see cref="T:byte[]"/> payloads: no copy, no base64. The buffer is handed over to the
    /// transport, which may transfer it: do not change it after dispatch.
    /// </summary>
    public static JobCodec<byte[]> ByteArray => ByteArrayCodec.Instance;

    /// <summary>Gets the codec for raw <see cref="ReadOnlyMemory{T}"/> payloads: no copy, no base64.</summary>
    public static JobCodec<ReadOnlyMemory<byte>> Memory => MemoryCodec.Instance;

    /// <summary>Creates a System.Text.Json codec from source-generated metadata.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="typeInfo">The type's metadata.</param>
    /// <returns>The codec.</returns>
    public static JobCodec<T> Json<T>(JsonTypeInfo<T> typeInfo) => new JsonJobCodec<T>(typeInfo);

    /// <summary>
    /// Picks the codec for <typeparamref name="T"/>: raw bytes for <see cref="T:byte[]"/> and <see cref="ReadOnlyMemory{T}"/> of bytes,
    /// otherwise System.Text.Json with the metadata that <paramref name="resolver"/> (typically a source-generated
    /// <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>) provides. Trim-safe.
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="resolver">The metadata source.</param>
    /// <returns>The codec.</returns>
    /// <exception cref="ArgumentException">The resolver has no metadata for <typeparamref name="T"/>.</exception>
    public static JobCodec<T> For<T>(IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        if (TryGetRaw(out JobCodec<T>? raw))
        {
            return raw;
        }

        JsonSerializerOptions options = (resolver as System.Text.Json.Serialization.JsonSerializerContext)?.Options ?? new JsonSerializerOptions { TypeInfoResolver = resolver };
        if (resolver.GetTypeInfo(typeof(T), options) is not JsonTypeInfo<T> typeInfo)
        {
            throw new ArgumentException(
                $"The JSON metadata source '{resolver.GetType().FullName}' has no type info for '{typeof(T).FullName}'. Add [JsonSerializable(typeof({typeof(T).Name}))] to your JsonSerializerContext.",
                nameof(resolver));
        }

        return new JsonJobCodec<T>(typeInfo);
    }

    /// <summary>
    /// Picks the codec for <typeparamref name="T"/> using reflection-based System.Text.Json. Convenient on servers;
    /// browser apps that publish trimmed should use <see cref="For{T}(IJsonTypeInfoResolver)"/> with a source-generated context.
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <returns>The codec.</returns>
    [RequiresUnreferencedCode("Reflection-based JSON serialization may need types that trimming removes. Use a source-generated JsonSerializerContext.")]
    [RequiresDynamicCode("Reflection-based JSON serialization may need runtime code generation. Use a source-generated JsonSerializerContext.")]
    public static JobCodec<T> Reflection<T>()
    {
        if (TryGetRaw(out JobCodec<T>? raw))
        {
            return raw;
        }

        JsonSerializerOptions options = new(JsonSerializerOptions.Default);
        options.MakeReadOnly(populateMissingResolver: true);
        return new JsonJobCodec<T>((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    private static bool TryGetRaw<T>([NotNullWhen(true)] out JobCodec<T>? codec)
    {
        codec = typeof(T) == typeof(byte[]) ? (JobCodec<T>)(object)ByteArrayCodec.Instance
            : typeof(T) == typeof(ReadOnlyMemory<byte>) ? (JobCodec<T>)(object)MemoryCodec.Instance
            : null;
        return codec is not null;
    }
}
