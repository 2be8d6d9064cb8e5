using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// The worker-host process's background service: claims open slot offers of the pools it serves (up to
/// <see cref="RedisWorkerHostOptions.MaxSlots"/>), renews their leases, and on graceful shutdown drains and hands
/// them over. A dispatcher whose job set the host's registry does not cover, or of another protocol version, is
/// never served.
/// </summary>
internal sealed class RedisWorkerHostService : BackgroundService
{
    private readonly RedisWorkerHostOptions _options;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<WorkerHostPool> _pools = [];
    private readonly ConcurrentDictionary<HostedSlot, byte> _slots = new();
    private readonly ConcurrentDictionary<string, bool> _compatible = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConnectionMultiplexer? _connection;
    private bool _ownsConnection;
    private WorkerHostShared? _shared;
    private Doorbell? _bell;
    private volatile bool _draining;
    private long _lastRenewal;

    public RedisWorkerHostService(
        IOptions<RedisWorkerHostOptions> options,
        IEnumerable<WorkerHostPoolRegistration> pools,
        IServiceProvider services,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _options = options.Value.Clone();
        _services = services;
        _time = time;
        _logger = loggerFactory.CreateLogger("Awsm.Scheduler.Redis.WorkerHost");
        foreach (IGrouping<string, WorkerHostPoolRegistration> pool in pools.GroupBy(p => p.PoolName, StringComparer.Ordinal))
        {
            var registry = new JobRegistry();
            foreach (WorkerHostPoolRegistration registration in pool)
            {
                registration.RegisterJobs(registry);
            }

            _pools.Add(new WorkerHostPool(pool.Key, registry, new RedisKeys(_options.KeyPrefix, pool.Key)));
        }

        if (_pools.Count == 0)
        {
            throw new InvalidOperationException("The worker host serves no pool: call ServePool(poolName, jobs => ...) on the builder AddAwsmSchedulerWorkerHost returns.");
        }
    }

    /// <summary>Gets how many slots this host serves now.</summary>
    public int SlotCount => _slots.Count;

    /// <summary>Gets a task that completes once the host is connected and listening for offers.</summary>
    public Task Connected => _connected.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            ConfigurationOptions? configuration = RedisConnections.Resolve(_options.ConfigurationOptions, _options.Configuration);
            if (configuration is not null)
            {
                _connection = await RedisConnections.ConnectAsync(configuration, stoppingToken).ConfigureAwait(false);
                _ownsConnection = true;
            }
            else
            {
                _connection = _services.GetService<IConnectionMultiplexer>()
                    ?? throw new InvalidOperationException("Set RedisWorkerHostOptions.Configuration or ConfigurationOptions, or register an IConnectionMultiplexer.");
            }

            _shared = new WorkerHostShared(_connection, _options, _time, _logger, _services, slot => _slots.TryRemove(slot, out _));
            _bell = new Doorbell(_time, _shared.PollInterval);
            foreach (WorkerHostPool pool in _pools)
            {
                await _shared.Subscriber.SubscribeAsync(pool.Keys.OffersBell, (_, _) => _bell.Ring()).ConfigureAwait(false);
            }

            Log.HostStarted(_logger, _shared.HostName, string.Join(", ", _pools.Select(p => p.Name)), _options.KeyPrefix, _options.MaxSlots);
            _connected.TrySetResult();
            _bell.Ring();
            while (await _bell.WaitAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await RenewAsync().ConfigureAwait(false);
                    if (!_draining)
                    {
                        await ClaimAsync().ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One bad round (Redis unreachable, a hostile entry) must not stop the host: renewal fences its slots.
                    Log.HostRedisFailed(_logger, _shared.HostName, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            _connected.TrySetException(ex);
            throw;
        }
        finally
        {
            foreach (HostedSlot slot in _slots.Keys)
            {
                slot.Abandon("the host stopped");
            }

            _bell?.Dispose();
            if (_connection is not null && _ownsConnection)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        HostedSlot[] slots = [.. _slots.Keys];
        if (_shared is not null && slots.Length > 0)
        {
            Log.HostDraining(_logger, _shared.HostName, slots.Length);
            await Task.WhenAll(slots.Select(s => s.DrainAsync(cancellationToken))).ConfigureAwait(false);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RenewAsync()
    {
        if (_shared is null || _time.GetElapsedTime(_lastRenewal) < _shared.PollInterval * 0.75)
        {
            return;
        }

        _lastRenewal = _time.GetTimestamp();
        string leaseMs = RedisWire.Format((long)_options.LeaseTime.TotalMilliseconds);
        HostedSlot[] slots = [.. _slots.Keys];
        Task<RedisResult>[] renewals = [.. slots.Select(s => _shared.Database.ScriptEvaluateAsync(RedisScripts.Renew, [s.Lease, s.DispatcherKey], [s.LeaseValue, leaseMs]))];
        for (int i = 0; i < slots.Length; i++)
        {
            HostedSlot slot = slots[i];
            try
            {
                long result = (long)await renewals[i].ConfigureAwait(false);
                switch (result)
                {
                    case 1:
                        slot.LastRenewed = _time.GetTimestamp();
                        break;
                    case 0:
                        slot.Abandon("its lease was lost (expired, or the slot was restarted)");
                        break;
                    default:
                        slot.Abandon("its dispatcher is gone");
                        break;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.HostRedisFailed(_logger, _shared.HostName, ex.Message);
                if (_time.GetElapsedTime(slot.LastRenewed) >= _options.LeaseTime)
                {
                    // Fence ourselves: the dispatcher has reported this slot crashed by now.
                    slot.Abandon("could not renew its lease for longer than the lease time");
                }
            }
        }
    }

    private async Task ClaimAsync()
    {
        Debug.Assert(_shared is not null, "connected");
        foreach (WorkerHostPool pool in _pools)
        {
            if (_slots.Count >= _options.MaxSlots)
            {
                return;
            }

            HashEntry[] offers;
            try
            {
                offers = await _shared.Database.HashGetAllAsync(pool.Keys.Offers).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.HostRedisFailed(_logger, _shared.HostName, ex.Message);
                return;
            }

            foreach (HashEntry offer in offers)
            {
                if (_slots.Count >= _options.MaxSlots)
                {
                    return;
                }

                try
                {
                    await TryClaimAsync(pool, offer).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.HostRedisFailed(_logger, _shared.HostName, ex.Message);
                    return;
                }
            }
        }
    }

    private async Task TryClaimAsync(WorkerHostPool pool, HashEntry offer)
    {
        Debug.Assert(_shared is not null, "connected");
        string? field = offer.Name;
        string? value = offer.Value;
        if (!RedisKeys.TryParseOfferField(field, out string dispatcherId, out int index) ||
            !RedisWire.TryParseOffer(value, out long generation, out string cursor))
        {
            // Foreign or malformed: not ours to serve, nor to delete.
            return;
        }

        // Unknown (no heartbeat): the claim script then removes the stale offer of a dispatcher that is gone.
        if (await IsCompatibleAsync(pool, dispatcherId).ConfigureAwait(false) == false)
        {
            return;
        }

        RedisKey dispatcherKey = pool.Keys.Dispatcher(dispatcherId);
        var claimed = (long)await _shared.Database.ScriptEvaluateAsync(
            RedisScripts.Claim,
            [pool.Keys.Offers, dispatcherKey, pool.Keys.Lease(dispatcherId, index)],
            [field, value, index, _shared.HostId, (long)_options.LeaseTime.TotalMilliseconds]).ConfigureAwait(false);
        if (claimed != 1)
        {
            return;
        }

        var slot = new HostedSlot(_shared, pool, dispatcherId, index, generation, cursor);
        _slots[slot] = 0;
        Log.SlotClaimed(_logger, _shared.HostName, index, pool.Name, dispatcherId, generation);
        try
        {
            await slot.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            // Half started: stop renewing, so the lease lapses and the dispatcher's start timeout or crash path decides.
            slot.Abandon("it could not be started");
            throw;
        }
    }

    /// <summary>Whether this host can serve a dispatcher: same protocol version, and every job it may send is registered here.</summary>
    /// <returns><see langword="null"/> when the dispatcher's heartbeat is gone (its offers are stale).</returns>
    private async Task<bool?> IsCompatibleAsync(WorkerHostPool pool, string dispatcherId)
    {
        Debug.Assert(_shared is not null, "connected");
        string cacheKey = string.Concat(pool.Name, "/", dispatcherId);
        if (_compatible.TryGetValue(cacheKey, out bool known))
        {
            return known;
        }

        RedisValue[] info = await _shared.Database.HashGetAsync(pool.Keys.Dispatcher(dispatcherId), [RedisWire.VersionField, RedisWire.JobsField]).ConfigureAwait(false);
        if (info[0].IsNull)
        {
            // Gone: a dispatcher announces itself before it posts any offer.
            return null;
        }

        string? reason = null;
        if ((string?)info[0] != RedisWire.ProtocolVersion)
        {
            reason = $"it speaks protocol version '{Truncate((string?)info[0])}', this host {RedisWire.ProtocolVersion}";
        }
        else
        {
            string[] missing = [.. ((string?)info[1] ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(name => !pool.Registry.TryGet(name, out _)).Take(5)];
            if (missing.Length > 0)
            {
                reason = $"this host's registry lacks job(s) {string.Join(", ", missing.Select(Truncate))}";
            }
        }

        if (_compatible.Count > 4096)
        {
            _compatible.Clear();
        }

        _compatible[cacheKey] = reason is null;
        if (reason is not null)
        {
            Log.DispatcherIncompatible(_logger, _shared.HostName, dispatcherId, pool.Name, reason);
        }

        return reason is null;
    }

    private static string Truncate(string? text) => text is null ? "(null)" : text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
