using Awsm.Scheduler.Redis.Internal;

namespace Awsm.Scheduler.Redis;

/// <summary>Settings of a worker-host process (<c>AddAwsmSchedulerWorkerHost</c>).</summary>
/// <remarks>The connection, key prefix, lease time and payload limits are described on <see cref="RedisConnectionOptions"/>.</remarks>
public sealed class RedisWorkerHostOptions : RedisConnectionOptions
{
    private int _maxSlots = Environment.ProcessorCount;
    private string _hostName = string.Concat(Environment.MachineName, ":", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Gets or sets how many worker slots this process serves at most, over all pools. The default is the processor count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public int MaxSlots
    {
        get => _maxSlots;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxSlots = value;
        }
    }

    /// <summary>Gets or sets the name this host reports to dispatchers (shown in their stats). The default is <c>machine:pid</c>.</summary>
    /// <exception cref="ArgumentException">Empty or longer than 128 characters.</exception>
    public string HostName
    {
        get => _hostName;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, 128, nameof(value));
            _hostName = value;
        }
    }

    internal RedisWorkerHostOptions Clone() => (RedisWorkerHostOptions)MemberwiseClone();
}
