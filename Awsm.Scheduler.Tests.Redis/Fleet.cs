using Awsm.Scheduler.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// One test's fleet on the shared server: its own key prefix, dispatcher pools and in-process worker hosts, each on
/// its own connection. Disposing stops everything, even when the test failed.
/// </summary>
public sealed class Fleet : IAsyncDisposable
{
    /// <summary>How long anything may take before the test fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The lease of a test whose subject is a lost slot (a killed or paused host, a restarted server): short, so the
    /// loss shows quickly.
    /// </summary>
    public static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The default lease: far longer than any scheduling hiccup of a loaded machine, so a test about something else
    /// never races an expiry (with 1 s, a renewal held up under load lost a slot mid-test).
    /// </summary>
    public static readonly TimeSpan SteadyLease = TimeSpan.FromSeconds(10);

    private readonly List<WorkerPool> _pools = [];
    private readonly List<FleetHost> _hosts = [];

    private readonly ITestOutputHelper? _output;

    /// <param name="server">The shared server.</param>
    /// <param name="lease">The hosts' and dispatchers' lease (<see cref="SteadyLease"/> unless the test is about a lost slot).</param>
    /// <param name="output">Where the fleet writes its merged log timeline when it is disposed (shown when the test fails).</param>
    public Fleet(RedisServer server, TimeSpan? lease = null, ITestOutputHelper? output = null)
    {
        Server = server;
        _output = output;
        Lease = lease ?? SteadyLease;
        Admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
    }

    public RedisServer Server { get; }

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public TimeSpan Lease { get; }

    public ConnectionMultiplexer Admin { get; }

    public IDatabase Db => Admin.GetDatabase();

    public LogSink DispatcherLogs { get; } = new("dispatcher");

    public async Task<FleetHost> StartHostAsync(string name, int slots = 1, Action<JobRegistry>? jobs = null, Action<RedisWorkerHostOptions>? configure = null, string pool = "fleet")
    {
        var host = await FleetHost.StartAsync(this, name, slots, jobs ?? TestJobs.Register, configure, pool);
        _hosts.Add(host);
        return host;
    }

    /// <summary>
    /// A pool on a transport of this fleet, stopped (abort, bounded by <see cref="HangGuard"/>) when the fleet is disposed:
    /// a test that fails with a job still pending ends as a failure, not as a drain that waits forever.
    /// </summary>
    /// <param name="time">The pool's clock; a fake one never fires its shutdown timeout, which is why the fleet aborts.</param>
    public WorkerPool CreatePool(out RedisTransport transport, int workers = 1, Action<WorkerPoolOptions>? configure = null, Action<RedisTransportOptions>? transportOptions = null, Action<JobRegistry>? jobs = null, TimeProvider? time = null)
    {
        var options = new RedisTransportOptions { Configuration = Server.Configuration, KeyPrefix = Prefix, LeaseTime = Lease };
        transportOptions?.Invoke(options);
        transport = new RedisTransport(options);
        var poolOptions = new WorkerPoolOptions { Name = "fleet", WorkerCount = workers, StartTimeout = TimeSpan.FromSeconds(30), MaxRespawnAttempts = 1000 };
        configure?.Invoke(poolOptions);
        var registry = new JobRegistry();
        (jobs ?? TestJobs.Register)(registry);
        var loggers = LoggerFactory.Create(b => b.AddProvider(DispatcherLogs).SetMinimumLevel(LogLevel.Debug));
        var pool = new WorkerPool(transport, registry, poolOptions, time, loggerFactory: loggers);
        _pools.Add(pool);
        return pool;
    }

    public async Task<(WorkerPool Pool, RedisTransport Transport)> StartPoolAsync(int workers = 1, Action<WorkerPoolOptions>? configure = null, Action<RedisTransportOptions>? transportOptions = null)
    {
        WorkerPool pool = CreatePool(out RedisTransport transport, workers, configure, transportOptions);
        await pool.StartAsync().WaitAsync(HangGuard);
        return (pool, transport);
    }

    /// <summary>Every key under this fleet's prefix, with its time-to-live in ms (-1: none).</summary>
    public async Task<Dictionary<string, long>> KeysAsync()
    {
        var keys = new Dictionary<string, long>(StringComparer.Ordinal);
        IServer server = Admin.GetServer(Admin.GetEndPoints()[0]);
        await foreach (RedisKey key in server.KeysAsync(pattern: Prefix + ":*"))
        {
            TimeSpan? ttl = await Db.KeyTimeToLiveAsync(key);
            keys[key.ToString()] = ttl is null ? -1 : (long)ttl.Value.TotalMilliseconds;
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (WorkerPool pool in _pools)
        {
            await pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(HangGuard);
            await pool.DisposeAsync();
        }

        foreach (FleetHost host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Admin.DisposeAsync();
        WriteTimeline();
    }

    private void WriteTimeline()
    {
        if (_output is null)
        {
            return;
        }

        foreach ((DateTime at, string line) in _hosts.Select(h => h.Logs).Append(DispatcherLogs).SelectMany(l => l.Timeline).OrderBy(e => e.At))
        {
            _output.WriteLine($"{at:HH:mm:ss.fff} {line}");
        }
    }
}

/// <summary>An in-process worker host on a connection of its own; <see cref="CrashAsync"/> cuts it off like a dead process.</summary>
public sealed class FleetHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConnectionMultiplexer _connection;
    private bool _stopped;

    private FleetHost(string name, IHost host, ConnectionMultiplexer connection, LogSink logs)
    {
        Name = name;
        _host = host;
        _connection = connection;
        Logs = logs;
    }

    public string Name { get; }

    public LogSink Logs { get; }

    public static async Task<FleetHost> StartAsync(Fleet fleet, string name, int slots, Action<JobRegistry> jobs, Action<RedisWorkerHostOptions>? configure, string pool = "fleet")
    {
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(fleet.Server.Configuration);
        var logs = new LogSink(name);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<IConnectionMultiplexer>(connection);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services
            .AddAwsmSchedulerWorkerHost(o =>
            {
                o.KeyPrefix = fleet.Prefix;
                o.LeaseTime = fleet.Lease;
                o.MaxSlots = slots;
                o.HostName = name;
                configure?.Invoke(o);
            })
            .ServePool(pool, jobs);
        IHost host = builder.Build();
        await host.StartAsync().WaitAsync(Fleet.HangGuard);
        await logs.WaitForAsync(320);
        return new FleetHost(name, host, connection, logs);
    }

    /// <summary>Stops gracefully: running jobs finish, slots are handed over.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        await _host.StopAsync().WaitAsync(Fleet.HangGuard);
    }

    /// <summary>Cuts the host off from Redis at once, like a killed process: no reply, no renewal, no hand-over.</summary>
    public async Task CrashAsync()
    {
        _stopped = true;
        await _connection.CloseAsync(allowCommandsToComplete: false);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        try
        {
            await _host.StopAsync(cancelled.Token).WaitAsync(Fleet.HangGuard);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or RedisException)
        {
            // A dead host does not stop cleanly.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _host.StopAsync(quick.Token).WaitAsync(Fleet.HangGuard);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _host.Dispose();
        await _connection.DisposeAsync();
    }
}
