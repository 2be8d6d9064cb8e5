namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// The Lua scripts that make offers, claims, renewals and hand-overs atomic. Every key a script touches shares the
/// pool's hash tag. StackExchange.Redis sends them by SHA after the first call.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Dispatcher: (re)offers a slot under a new generation and fences the old one.
    /// KEYS: dispatcher hash, offers, lease, old stream. ARGV: slot, generation, offer field, old-stream TTL ms, offer (1) or withdraw (0).
    /// </summary>
    public const string Offer = """
        redis.call('HSET', KEYS[1], 'g:' .. ARGV[1], ARGV[2])
        if ARGV[5] == '1' then
          redis.call('HSET', KEYS[2], ARGV[3], ARGV[2] .. ':0')
        else
          redis.call('HDEL', KEYS[2], ARGV[3])
        end
        redis.call('DEL', KEYS[3])
        if redis.call('EXISTS', KEYS[4]) == 1 then
          redis.call('XADD', KEYS[4], '*', 'k', 'abandon')
          redis.call('PEXPIRE', KEYS[4], ARGV[4])
        end
        return 1
        """;

    /// <summary>
    /// Host: claims an open offer if it is still the one it saw and the dispatcher still lives and still wants this
    /// generation. KEYS: offers, dispatcher hash, lease. ARGV: offer field, expected offer value, slot, host id, lease ms.
    /// Returns 1 (claimed), 0 (someone else was faster), -1 (stale offer, removed).
    /// </summary>
    public const string Claim = """
        local offer = redis.call('HGET', KEYS[1], ARGV[1])
        if offer ~= ARGV[2] then return 0 end
        local gen = string.match(offer, '^(%d+):')
        if (not gen) or redis.call('EXISTS', KEYS[2]) == 0 or redis.call('HGET', KEYS[2], 'g:' .. ARGV[3]) ~= gen then
          redis.call('HDEL', KEYS[1], ARGV[1])
          return -1
        end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[3], gen .. ':' .. ARGV[4], 'PX', ARGV[5])
        return 1
        """;

    /// <summary>
    /// Host: renews its lease if it still holds it and the dispatcher still lives. KEYS: lease, dispatcher hash.
    /// ARGV: lease value, lease ms. Returns 1 (renewed), 0 (lost), -1 (dispatcher gone; lease removed).
    /// </summary>
    public const string Renew = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        if redis.call('EXISTS', KEYS[2]) == 0 then
          redis.call('DEL', KEYS[1])
          return -1
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Host, draining: hands a slot over at a stream cursor (entries after it go to the next host), keeping the
    /// generation. KEYS: lease, offers. ARGV: lease value, offer field, generation, cursor, hand-over ms.
    /// </summary>
    public const string HandOver = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[3] .. ':handover', 'PX', ARGV[5])
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[3] .. ':' .. ARGV[4])
        redis.call('PUBLISH', KEYS[2], 'handover')
        return 1
        """;

    /// <summary>Host: gives a lease up if it still holds it (the dispatcher then reports the slot crashed). KEYS: lease. ARGV: lease value.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """;
}
