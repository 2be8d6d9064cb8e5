using System.Globalization;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// Field names of stream entries and of the dispatcher hash. Kinds and error kinds are Core's
/// <see cref="Transport.WireProtocol"/> vocabulary; payloads are raw bytes in field <c>p</c>, or the name of a side
/// key in field <c>pk</c> when they exceed the inline limit.
/// </summary>
internal static class RedisWire
{
    /// <summary>The protocol version a dispatcher announces and a host checks before it claims.</summary>
    public const string ProtocolVersion = "1";

    public const string Kind = "k";
    public const string Id = "id";
    public const string JobName = "n";
    public const string Payload = "p";
    public const string PayloadKey = "pk";
    public const string TraceParent = "tp";
    public const string TraceState = "ts";
    public const string Slot = "s";
    public const string Generation = "g";
    public const string Host = "h";
    public const string ErrorKind = "ek";
    public const string ErrorType = "et";
    public const string Message = "m";
    public const string Stack = "st";

    /// <summary>Dispatcher → host, in a slot's stream: the slot is gone (terminated or restarted); stop serving it.</summary>
    public const string AbandonKind = "abandon";

    /// <summary>Dispatcher hash fields.</summary>
    public const string VersionField = "v";
    public const string JobsField = "jobs";

    public static RedisValue GenerationField(int slot) => "g:" + slot.ToString(CultureInfo.InvariantCulture);

    /// <summary>The longest text field accepted from Redis (job names, types, messages, stacks).</summary>
    public const int MaxTextLength = 64 * 1024;

    /// <summary>Reads fields into a small map, keeping the first of duplicates; <see langword="false"/> for an entry with too many fields.</summary>
    public static bool TryIndex(NameValueEntry[] values, Dictionary<string, RedisValue> into)
    {
        into.Clear();
        if (values.Length > 16)
        {
            return false;
        }

        foreach (NameValueEntry entry in values)
        {
            string? name = entry.Name;
            if (name is not null && name.Length <= 4)
            {
                into.TryAdd(name, entry.Value);
            }
        }

        return true;
    }

    public static string? Text(Dictionary<string, RedisValue> fields, string name)
    {
        if (!fields.TryGetValue(name, out RedisValue value) || value.IsNull)
        {
            return null;
        }

        string? text = value;
        return text is { Length: > MaxTextLength } ? text[..MaxTextLength] : text;
    }

    public static bool TryLong(Dictionary<string, RedisValue> fields, string name, out long result)
    {
        result = 0;
        return fields.TryGetValue(name, out RedisValue value) && !value.IsNull &&
               long.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>Parses a lease value <c>GEN:OWNER</c>.</summary>
    public static bool TryLeaseGeneration(RedisValue lease, out long generation)
    {
        generation = 0;
        string? text = lease;
        if (text is null)
        {
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out generation);
    }

    /// <summary>Parses an offer value <c>GEN:CURSOR</c>.</summary>
    public static bool TryParseOffer(string? offer, out long generation, out string cursor)
    {
        generation = 0;
        cursor = "0";
        if (offer is null || offer.Length > 64)
        {
            return false;
        }

        int colon = offer.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(offer.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out generation))
        {
            return false;
        }

        cursor = offer[(colon + 1)..];
        return cursor.Length > 0;
    }

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
