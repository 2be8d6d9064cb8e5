using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>Builds connections from the options. Nothing here logs the configuration (it may hold a password).</summary>
internal static class RedisConnections
{
    public static ConfigurationOptions? Resolve(ConfigurationOptions? options, string? configuration)
    {
        if (options is not null)
        {
            return options.Clone();
        }

        return string.IsNullOrWhiteSpace(configuration) ? null : ConfigurationOptions.Parse(configuration);
    }

    public static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
