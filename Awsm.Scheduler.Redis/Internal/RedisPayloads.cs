using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// The one reader of a payload off the wire, for both sides: the host reads a job's input, the dispatcher a job's output.
/// Everything read from Redis is untrusted: an inline payload or a side key's value above the reader's
/// <c>MaxPayloadSize</c> is refused (a side key is measured before it is fetched), and a side key outside the
/// dispatcher's blob prefix is never touched.
/// </summary>
internal static class RedisPayloads
{
    /// <summary>Reads the payload of an entry: inline, from its side key (fetched and deleted), or empty when it has none.</summary>
    /// <param name="db">Where side keys live.</param>
    /// <param name="fields">The entry's fields.</param>
    /// <param name="blobPrefix">The prefix every side key of this dispatcher starts with.</param>
    /// <param name="maxPayloadSize">The reader's limit in bytes.</param>
    /// <param name="what">What the payload is, for the problem text ("input", "output").</param>
    /// <returns>The bytes, or <see langword="null"/> and the problem that the job must end with.</returns>
    public static async Task<(byte[]? Payload, string? Problem)> ReadAsync(IDatabase db, Dictionary<string, RedisValue> fields, string blobPrefix, int maxPayloadSize, string what)
    {
        if (fields.TryGetValue(RedisWire.Payload, out RedisValue inline) && !inline.IsNull)
        {
            byte[] bytes = (byte[])inline!;
            return bytes.Length > maxPayloadSize ? (null, TooLarge(what, bytes.Length, maxPayloadSize)) : (bytes, null);
        }

        string? key = RedisWire.Text(fields, RedisWire.PayloadKey);
        if (key is null)
        {
            return (Array.Empty<byte>(), null);
        }

        if (!key.StartsWith(blobPrefix, StringComparison.Ordinal) || key.Length > blobPrefix.Length + 64)
        {
            return (null, $"the {what}'s side key is outside the dispatcher's keys");
        }

        long length = await db.StringLengthAsync(key).ConfigureAwait(false);
        if (length > maxPayloadSize)
        {
            _ = db.KeyDeleteAsync(key, CommandFlags.FireAndForget);
            return (null, TooLarge(what, length, maxPayloadSize));
        }

        RedisValue blob = await db.StringGetDeleteAsync(key).ConfigureAwait(false);
        return blob.IsNull ? (null, $"the {what}'s side key has expired") : ((byte[])blob!, null);
    }

    private static string TooLarge(string what, long length, int max) => $"the {what} is {length} bytes, above the reader's MaxPayloadSize ({max})";
}
