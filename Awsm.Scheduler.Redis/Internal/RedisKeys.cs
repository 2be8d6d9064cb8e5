using System.Globalization;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// Every key and channel of one pool under one prefix. All of them share the hash tag <c>{pool}</c>, so each Lua
/// script touches one Cluster slot. Layout (see docs/redis.md):
/// <c>P:{pool}:offers</c> (hash of open offers), <c>P:{pool}:d:DID</c> (dispatcher hash: version, job set, generations),
/// <c>P:{pool}:d:DID:lease:I</c>, <c>P:{pool}:d:DID:s:I:GEN</c> (the slot's stream for one generation),
/// <c>P:{pool}:d:DID:r</c> (the dispatcher's reply stream), <c>P:{pool}:d:DID:b:GUID</c> (large payloads).
/// </summary>
internal sealed class RedisKeys
{
    public RedisKeys(string prefix, string pool)
    {
        Root = string.Concat(prefix, ":{", pool, "}:");
        string offers = Root + "offers";
        Offers = offers;
        OffersBell = RedisChannel.Literal(offers);
    }

    /// <summary>Gets the part every key of this pool starts with.</summary>
    public string Root { get; }

    public RedisKey Offers { get; }

    public RedisChannel OffersBell { get; }

    public string DispatcherRoot(string dispatcherId) => string.Concat(Root, "d:", dispatcherId);

    public RedisKey Dispatcher(string dispatcherId) => DispatcherRoot(dispatcherId);

    public RedisKey Lease(string dispatcherId, int slot) =>
        string.Concat(DispatcherRoot(dispatcherId), ":lease:", slot.ToString(CultureInfo.InvariantCulture));

    public RedisKey SlotStream(string dispatcherId, int slot, long generation) =>
        string.Concat(DispatcherRoot(dispatcherId), ":s:", slot.ToString(CultureInfo.InvariantCulture), ":", generation.ToString(CultureInfo.InvariantCulture));

    public RedisKey Replies(string dispatcherId) => DispatcherRoot(dispatcherId) + ":r";

    public string BlobPrefix(string dispatcherId) => DispatcherRoot(dispatcherId) + ":b:";

    public RedisKey NewBlob(string dispatcherId) => BlobPrefix(dispatcherId) + Guid.NewGuid().ToString("N");

    public static RedisChannel Bell(RedisKey stream) => RedisChannel.Literal(stream.ToString());

    public static string OfferField(string dispatcherId, int slot) =>
        string.Concat(dispatcherId, ":", slot.ToString(CultureInfo.InvariantCulture));

    /// <summary>Parses an offer field <c>DID:I</c>; the dispatcher id must be 32 lowercase hex digits.</summary>
    public static bool TryParseOfferField(string? field, out string dispatcherId, out int slot)
    {
        dispatcherId = string.Empty;
        slot = -1;
        if (field is null || field.Length < 34 || field.Length > 44 || field[32] != ':' || !IsDispatcherId(field.AsSpan(0, 32)))
        {
            return false;
        }

        if (!int.TryParse(field.AsSpan(33), NumberStyles.None, CultureInfo.InvariantCulture, out slot) || slot < 0)
        {
            return false;
        }

        dispatcherId = field[..32];
        return true;
    }

    public static bool IsDispatcherId(ReadOnlySpan<char> id)
    {
        if (id.Length != 32)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static string NewDispatcherId() => Guid.NewGuid().ToString("N");
}
