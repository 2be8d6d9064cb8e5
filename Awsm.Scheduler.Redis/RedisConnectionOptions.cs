using Awsm.Scheduler.Redis.Internal;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis;

/// <summary>
/// What both sides of the Redis transport share: the connection, the key prefix, the lease time and the payload
/// limits. <see cref="RedisTransportOptions"/> (dispatchers) and <see cref="RedisWorkerHostOptions"/> (worker hosts)
/// derive from it; the two sides of one fleet use the same prefix and lease time.
/// </summary>
/// <remarks>
/// The connection comes from <see cref="ConfigurationOptions"/>, else <see cref="Configuration"/>, else the
/// <see cref="IConnectionMultiplexer"/> registered in DI. A connection created from these options is disposed with its
/// owner; one taken from DI is never disposed. AUTH/ACL user and password and TLS are the client's own options
/// (<c>user=</c>, <c>password=</c>, <c>ssl=true</c> in the configuration string, or the corresponding
/// <see cref="StackExchange.Redis.ConfigurationOptions"/> properties); nothing here ever logs them.
/// </remarks>
public abstract class RedisConnectionOptions
{
    private string _keyPrefix = RedisDefaults.KeyPrefix;
    private TimeSpan _leaseTime = RedisDefaults.LeaseTime;
    private int _inlinePayloadLimit = RedisDefaults.InlinePayloadLimit;
    private int _maxPayloadSize = RedisDefaults.MaxPayloadSize;

    private protected RedisConnectionOptions()
    {
    }

    /// <summary>Gets or sets a StackExchange.Redis configuration string, such as <c>127.0.0.1:6379</c>. The default is <see langword="null"/>.</summary>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the client's options; wins over <see cref="Configuration"/>. The default is <see langword="null"/>.</summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gets or sets the prefix of every key and channel; dispatchers and hosts of one fleet use the same. The default is <c>awsm</c>.</summary>
    /// <exception cref="ArgumentException">Empty, longer than 64 characters, or containing a brace.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            RedisDefaults.ValidatePrefix(value, nameof(value));
            _keyPrefix = value;
        }
    }

    /// <summary>
    /// Gets or sets the lease time. A host's slot lease lives this long and is renewed every third of it, so a dead host
    /// loses its slots (and their jobs fail over) within about this long; a dispatcher cut off from Redis this long
    /// reports all its workers crashed, and checks the hosts' leases every third of it. The default is 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 300 ms or above 10 minutes.</exception>
    public TimeSpan LeaseTime
    {
        get => _leaseTime;
        set
        {
            RedisDefaults.ValidateLease(value, nameof(value));
            _leaseTime = value;
        }
    }

    /// <summary>Gets or sets the largest payload written inside a stream entry; larger ones travel through a side key with a time-to-live. The default is 1 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int InlinePayloadLimit
    {
        get => _inlinePayloadLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _inlinePayloadLimit = value;
        }
    }

    /// <summary>
    /// Gets or sets the largest payload written or read. A dispatcher fails a larger input at send with a non-transient
    /// <see cref="JobSerializationException"/>, writing nothing; a host drops (and logs) a larger input and answers a
    /// larger output with an output-serialization error. The default is 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero, negative, or above 512 MiB.</exception>
    public int MaxPayloadSize
    {
        get => _maxPayloadSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, RedisDefaults.MaxPayloadCeiling);
            _maxPayloadSize = value;
        }
    }
}
