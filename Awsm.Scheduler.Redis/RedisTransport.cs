using Awsm.Scheduler.Redis.Internal;
using Awsm.Scheduler.Transport;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis;

/// <summary>
/// Runs a pool's workers on worker-host processes anywhere, through Redis Streams: one stream per worker slot and
/// generation, one reply stream per dispatcher, a lease per slot. Hosts run <c>AddAwsmSchedulerWorkerHost</c>.
/// </summary>
/// <remarks>
/// <para>Each job envelope reaches at most one incarnation of a slot. A slot whose host dies, is paused or is cut off
/// (its lease lapses), or a dispatcher cut off from Redis for longer than <see cref="RedisConnectionOptions.LeaseTime"/>,
/// fails exactly that slot's jobs with the transient <see cref="WorkerCrashedException"/>: a retry re-dispatches them.
/// End to end this is at-least-once: a job may run twice when its slot dies mid-job, so side-effecting jobs should carry
/// an idempotency key in their input.</para>
/// <para>An unclaimed slot reports nothing; the pool's start timeout decides.</para>
/// </remarks>
public sealed class RedisTransport : IWorkerTransport
{
    private readonly RedisDispatcher _dispatcher;

    /// <summary>Creates a transport that connects with <see cref="RedisConnectionOptions.ConfigurationOptions"/> or <see cref="RedisConnectionOptions.Configuration"/>, and disposes that connection with itself.</summary>
    /// <param name="options">The settings; a connection must be configured.</param>
    /// <exception cref="ArgumentException">Neither a configuration string nor configuration options are set.</exception>
    public RedisTransport(RedisTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RedisTransportOptions snapshot = options.Clone();
        ConfigurationOptions configuration = RedisConnections.Resolve(snapshot.ConfigurationOptions, snapshot.Configuration)
            ?? throw new ArgumentException("Set RedisTransportOptions.Configuration or ConfigurationOptions, or pass an IConnectionMultiplexer.", nameof(options));
        _dispatcher = new RedisDispatcher(snapshot, async ct => (await RedisConnections.ConnectAsync(configuration, ct).ConfigureAwait(false), true));
    }

    /// <summary>Creates a transport over a connection the caller owns (never disposed by the transport).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">The settings; their connection settings are ignored.</param>
    public RedisTransport(IConnectionMultiplexer connection, RedisTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _dispatcher = new RedisDispatcher((options ?? new RedisTransportOptions()).Clone(), _ => Task.FromResult((connection, false)));
    }

    /// <summary>Gets this transport's random dispatcher id (32 hex digits), part of every key it owns.</summary>
    public string DispatcherId => _dispatcher.DispatcherId;

    /// <inheritdoc />
    public bool RequiresEncodedPayloads => true;

    /// <summary>Gets the name of the host serving a worker slot, or <see langword="null"/> while nobody serves it.</summary>
    /// <param name="workerIndex">The worker's index.</param>
    /// <returns>The host's name, as it reported it.</returns>
    public string? GetWorkerHost(int workerIndex) => _dispatcher.GetHost(workerIndex);

    /// <inheritdoc />
    public ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _dispatcher.InitializeAsync(context, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken) => _dispatcher.StartWorkerAsync(workerIndex, incarnation, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="JobSerializationException">The input is larger than <see cref="RedisConnectionOptions.MaxPayloadSize"/> (not transient).</exception>
    public void Send(int workerIndex, in WorkerMessage message) => _dispatcher.Send(workerIndex, message);

    /// <inheritdoc />
    public ValueTask TerminateWorkerAsync(int workerIndex) => _dispatcher.TerminateWorkerAsync(workerIndex);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dispatcher.DisposeAsync();
}
