namespace Awsm.Scheduler.Redis;

/// <summary>Settings of the dispatching side of the Redis transport (<see cref="RedisTransport"/>).</summary>
/// <remarks>The connection, key prefix, lease time and payload limits are described on <see cref="RedisConnectionOptions"/>.</remarks>
public sealed class RedisTransportOptions : RedisConnectionOptions
{
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>
    /// Gets or sets the clock of the dispatcher's heartbeat renewals, lease checks and polling. They must keep pace with
    /// the Redis server's TTLs, which run on its real clock, so the pool's own clock (a fake one in tests) is not used
    /// for them. The default is <see cref="TimeProvider.System"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _timeProvider = value;
        }
    }

    internal RedisTransportOptions Clone() => (RedisTransportOptions)MemberwiseClone();
}
