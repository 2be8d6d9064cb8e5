namespace Awsm.Scheduler.Redis.Internal;

/// <summary>The defaults of the Redis options, in one place (each is also stated in its option's docs).</summary>
internal static class RedisDefaults
{
    public const string KeyPrefix = "awsm";
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MinLeaseTime = TimeSpan.FromMilliseconds(300);
    public const int InlinePayloadLimit = 1024 * 1024;
    public const int MaxPayloadSize = 64 * 1024 * 1024;

    /// <summary>Redis refuses bulk strings above 512 MiB by default (proto-max-bulk-len).</summary>
    public const int MaxPayloadCeiling = 512 * 1024 * 1024;

    /// <summary>How many stream entries one read takes.</summary>
    public const int ReadBatch = 256;

    public static void ValidatePrefix(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);
        if (value.AsSpan().IndexOfAny('{', '}') >= 0 || value.Length > 64)
        {
            throw new ArgumentException("The key prefix must be at most 64 characters without '{' or '}' (the pool name is the hash tag).", paramName);
        }
    }

    public static void ValidateLease(TimeSpan value, string paramName)
    {
        if (value < MinLeaseTime || value > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The lease time must be between 300 ms and 10 minutes.");
        }
    }
}
