using System.Diagnostics;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// The dispatching side: posts offers, writes jobs and cancels to the slots' streams, and runs one router loop that
/// reads the reply stream and checks the hosts' leases. Because replies and lease checks share that loop, a slot's
/// replies are always delivered before its crash.
/// </summary>
internal sealed class RedisDispatcher
{
    private static readonly TimeSpan BlobTimeToLive = TimeSpan.FromMinutes(15);

    private readonly RedisTransportOptions _options;
    private readonly Func<CancellationToken, Task<(IConnectionMultiplexer Connection, bool Owned)>> _connect;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, RedisValue> _fields = new(StringComparer.Ordinal);
    private IConnectionMultiplexer? _connection;
    private bool _ownsConnection;
    private IDatabase _db = null!;
    private ISubscriber _subscriber = null!;
    private RedisKeys _keys = null!;
    private WorkerTransportContext _context = null!;
    private ILogger _logger = NullLogger.Instance;
    private TimeProvider _time = TimeProvider.System;
    private WorkerEventWriter _writer = null!;
    private DispatcherSlot[] _slots = [];
    private RedisKey _dispatcherKey;
    private RedisKey _replies;
    private RedisChannel _repliesBell;
    private string _blobPrefix = string.Empty;
    private RedisValue _jobSet;
    private RedisValue _lastReplyId = "0-0";
    private Doorbell? _bell;
    private Task _router = Task.CompletedTask;
    private bool _disposed;

    public RedisDispatcher(RedisTransportOptions options, Func<CancellationToken, Task<(IConnectionMultiplexer, bool)>> connect)
    {
        _options = options;
        _connect = connect;
    }

    public string DispatcherId { get; } = RedisKeys.NewDispatcherId();

    public string? GetHost(int workerIndex)
    {
        lock (_gate)
        {
            return (uint)workerIndex < (uint)_slots.Length ? _slots[workerIndex].Host : null;
        }
    }

    public async ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null || _slots.Length > 0)
            {
                throw new InvalidOperationException("The transport is already initialized; each pool needs its own transport.");
            }

            _slots = new DispatcherSlot[context.WorkerCount];
            for (int i = 0; i < _slots.Length; i++)
            {
                _slots[i] = new DispatcherSlot(i);
            }
        }

        _context = context;
        // Not the pool's clock: heartbeats and leases are TTLs on the server's real clock, and a dispatcher on a fake
        // clock would stop renewing its heartbeat, so hosts would give its slots up while no lease check noticed.
        _time = _options.TimeProvider;
        _writer = context.Writer;
        _logger = context.LoggerFactory.CreateLogger("Awsm.Scheduler.Redis.RedisTransport");
        _keys = new RedisKeys(_options.KeyPrefix, context.PoolName);
        _dispatcherKey = _keys.Dispatcher(DispatcherId);
        _replies = _keys.Replies(DispatcherId);
        _repliesBell = RedisKeys.Bell(_replies);
        _blobPrefix = _keys.BlobPrefix(DispatcherId);
        foreach (DispatcherSlot slot in _slots)
        {
            slot.Stream = _keys.SlotStream(DispatcherId, slot.Index, 0);
        }

        _jobSet = string.Join('\n', context.Registry.Jobs.Select(j => j.Name).Order(StringComparer.Ordinal));

        (_connection, _ownsConnection) = await _connect(cancellationToken).ConfigureAwait(false);
        _db = _connection.GetDatabase();
        _subscriber = _connection.GetSubscriber();
        await AnnounceAsync().ConfigureAwait(false);

        _bell = new Doorbell(_time, CheckInterval);
        await _subscriber.SubscribeAsync(_repliesBell, (_, _) => _bell.Ring()).ConfigureAwait(false);
        _router = Task.Run(RouteAsync, CancellationToken.None);
        Log.DispatcherStarted(_logger, context.PoolName, DispatcherId, _keys.Root, _slots.Length);
    }

    private TimeSpan CheckInterval => _options.LeaseTime / 3;

    private TimeSpan AnnouncementTimeToLive => _options.LeaseTime * 3;

    public async ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        DispatcherSlot slot = GetSlot(workerIndex);
        RedisKey oldStream;
        long generation;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            oldStream = slot.Stream;
            generation = ++slot.Generation;
            slot.Incarnation = incarnation;
            slot.State = DispatcherSlotState.Starting;
            slot.Host = null;
            slot.Stream = _keys.SlotStream(DispatcherId, workerIndex, generation);
        }

        try
        {
            await AnnounceAsync().ConfigureAwait(false);
            await RunOfferScriptAsync(workerIndex, generation, oldStream, offer: true).ConfigureAwait(false);
            _ = _subscriber.PublishAsync(_keys.OffersBell, "offer", CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            lock (_gate)
            {
                if (slot.Generation != generation || slot.State != DispatcherSlotState.Starting)
                {
                    return;
                }

                slot.State = DispatcherSlotState.Gone;
            }

            _writer.TryWrite(incarnation, WorkerEvent.InitError(workerIndex, $"could not post the offer to Redis: {ex.Message}"));
        }
    }

    public void Send(int workerIndex, in WorkerMessage message)
    {
        DispatcherSlot slot = GetSlot(workerIndex);
        long generation;
        RedisKey stream;
        lock (_gate)
        {
            if (_disposed)
            {
                throw new TransportException("The Redis transport is disposed.");
            }

            if (slot.State != DispatcherSlotState.Ready)
            {
                // Like a post to a dead worker: lost, and the crash already reported (or about to be) fails the job.
                return;
            }

            generation = slot.Generation;
            stream = slot.Stream;
        }

        NameValueEntry[] entry = message.Kind == WorkerMessageKind.Job ? JobEntry(message) : [new(RedisWire.Kind, WireProtocol.CancelKind), new(RedisWire.Id, message.JobId.ToString())];
        Task written = _db.StreamAddAsync(stream, entry);
        _ = ObserveWriteAsync(written, workerIndex, generation);
        _ = _subscriber.PublishAsync(RedisKeys.Bell(stream), RedisValue.EmptyString, CommandFlags.FireAndForget);
    }

    private NameValueEntry[] JobEntry(in WorkerMessage message)
    {
        Debug.Assert(message.Payload.IsEncoded, "the transport requires encoded payloads");
        ReadOnlyMemory<byte> bytes = message.Payload.Bytes;
        string jobName = message.JobName!;
        if (bytes.Length > _options.MaxPayloadSize)
        {
            string typeName = _context.Registry.TryGet(jobName, out JobDescriptor? descriptor) ? descriptor.InputType.FullName ?? descriptor.InputType.Name : "unknown";
            throw new JobSerializationException(
                jobName,
                typeName,
                SerializationDirection.Input,
                $"the encoded input is {bytes.Length} bytes, above the Redis transport's MaxPayloadSize of {_options.MaxPayloadSize} bytes. Nothing was sent.");
        }

        var fields = new List<NameValueEntry>(6)
        {
            new(RedisWire.Kind, WireProtocol.JobKind),
            new(RedisWire.Id, message.JobId.ToString()),
            new(RedisWire.JobName, jobName),
        };

        // Copied: callers may reuse their buffers once Send returns.
        byte[] copy = bytes.ToArray();
        if (copy.Length > _options.InlinePayloadLimit)
        {
            RedisKey blob = _keys.NewBlob(DispatcherId);
            _ = _db.StringSetAsync(blob, copy, BlobTimeToLive, flags: CommandFlags.FireAndForget);
            fields.Add(new(RedisWire.PayloadKey, blob.ToString()));
        }
        else
        {
            fields.Add(new(RedisWire.Payload, copy));
        }

        if (message.TraceParent is not null)
        {
            fields.Add(new(RedisWire.TraceParent, message.TraceParent));
        }

        if (message.TraceState is not null)
        {
            fields.Add(new(RedisWire.TraceState, message.TraceState));
        }

        return [.. fields];
    }

    private async Task ObserveWriteAsync(Task written, int workerIndex, long generation)
    {
        try
        {
            await written.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ReportLost(workerIndex, generation, $"could not write to its stream: {ex.Message}");
        }
    }

    public async ValueTask TerminateWorkerAsync(int workerIndex)
    {
        DispatcherSlot slot = GetSlot(workerIndex);
        RedisKey stream;
        long generation;
        lock (_gate)
        {
            if (_disposed || slot.State == DispatcherSlotState.Idle)
            {
                return;
            }

            stream = slot.Stream;
            generation = ++slot.Generation;
            slot.State = DispatcherSlotState.Gone;
            slot.Host = null;
        }

        try
        {
            await RunOfferScriptAsync(workerIndex, generation, stream, offer: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The host's renewal fails on the next generation, or its lease lapses: it stops on its own.
            Log.CleanupFailed(_logger, _context.PoolName, ex.Message);
        }
    }

    private Task<RedisResult> RunOfferScriptAsync(int workerIndex, long generation, RedisKey oldStream, bool offer) =>
        _db.ScriptEvaluateAsync(
            RedisScripts.Offer,
            [_dispatcherKey, _keys.Offers, _keys.Lease(DispatcherId, workerIndex), oldStream],
            [workerIndex, generation, RedisKeys.OfferField(DispatcherId, workerIndex), (long)AnnouncementTimeToLive.TotalMilliseconds, offer ? "1" : "0"]);

    /// <summary>Writes the dispatcher hash (protocol version, job set) and refreshes its time-to-live: it is this dispatcher's heartbeat.</summary>
    private async Task AnnounceAsync()
    {
        Task set = _db.HashSetAsync(_dispatcherKey, [new(RedisWire.VersionField, RedisWire.ProtocolVersion), new(RedisWire.JobsField, _jobSet)]);
        Task expire = _db.KeyExpireAsync(_dispatcherKey, AnnouncementTimeToLive);
        await Task.WhenAll(set, expire).ConfigureAwait(false);
    }

    private async Task RouteAsync()
    {
        Debug.Assert(_bell is not null, "initialized");
        long lastOk = _time.GetTimestamp();
        long lastCheck = 0;
        try
        {
            while (await _bell.WaitAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await DrainRepliesAsync().ConfigureAwait(false);
                    if (_time.GetElapsedTime(lastCheck) >= CheckInterval * 0.9)
                    {
                        lastCheck = _time.GetTimestamp();
                        await CheckLeasesAsync().ConfigureAwait(false);
                    }

                    lastOk = _time.GetTimestamp();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    // Whatever failed (usually Redis being unreachable), the loop must live on: it is what turns a lost
                    // slot into a crash, so no dispatch can hang on it.
                    Log.RouterRedisFailed(_logger, _context.PoolName, ex.Message);
                    if (_time.GetElapsedTime(lastOk) > _options.LeaseTime)
                    {
                        LoseAllReady($"the dispatcher was cut off from Redis for more than the lease time ({_options.LeaseTime.TotalMilliseconds:0} ms)");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task DrainRepliesAsync()
    {
        while (true)
        {
            StreamEntry[] entries = await _db.StreamReadAsync(_replies, _lastReplyId, RedisDefaults.ReadBatch).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                return;
            }

            foreach (StreamEntry entry in entries)
            {
                await ProcessReplyAsync(entry).ConfigureAwait(false);
                _lastReplyId = entry.Id;
            }

            _ = _db.StreamDeleteAsync(_replies, [.. entries.Select(e => e.Id)], CommandFlags.FireAndForget);
            if (entries.Length < RedisDefaults.ReadBatch)
            {
                return;
            }
        }
    }

    private async Task ProcessReplyAsync(StreamEntry entry)
    {
        Dictionary<string, RedisValue> fields = _fields;
        if (entry.Values is null || !RedisWire.TryIndex(entry.Values, fields))
        {
            Log.ReplyDropped(_logger, _context.PoolName, entry.Id.ToString(), "too many fields");
            return;
        }

        if (!RedisWire.TryLong(fields, RedisWire.Slot, out long index) || index >= _slots.Length ||
            !RedisWire.TryLong(fields, RedisWire.Generation, out long generation))
        {
            Log.ReplyDropped(_logger, _context.PoolName, entry.Id.ToString(), "no valid worker index or generation");
            return;
        }

        int worker = (int)index;
        DispatcherSlot slot = _slots[worker];
        string? kind = RedisWire.Text(fields, RedisWire.Kind);
        DispatcherSlotState state;
        int incarnation;
        lock (_gate)
        {
            if (slot.Generation != generation)
            {
                // The wire's fence: a generation the dispatcher no longer serves maps to no incarnation at all.
                Log.StaleReply(_logger, _context.PoolName, worker, generation, slot.Generation);
                return;
            }

            // The only incarnation bookkeeping here: the current generation is the pool's current incarnation of the slot.
            incarnation = slot.Incarnation;
            state = slot.State;
            if (kind == WireProtocol.ReadyKind && state is DispatcherSlotState.Starting or DispatcherSlotState.Ready)
            {
                slot.State = DispatcherSlotState.Ready;
                slot.Host = RedisWire.Text(fields, RedisWire.Host) is { Length: > 0 and <= 128 } host ? host : "unknown host";
            }
            else if (kind == WireProtocol.InitErrorKind && state == DispatcherSlotState.Starting)
            {
                slot.State = DispatcherSlotState.Gone;
            }
        }

        switch (kind)
        {
            case WireProtocol.ReadyKind when state == DispatcherSlotState.Starting:
                Log.SlotServedBy(_logger, _context.PoolName, worker, slot.Host ?? string.Empty);
                _writer.TryWrite(incarnation, WorkerEvent.Ready(worker));
                return;
            case WireProtocol.ReadyKind when state == DispatcherSlotState.Ready:
                // A draining host handed the slot over at a stream cursor: same generation, new host, no new event.
                Log.SlotServedBy(_logger, _context.PoolName, worker, slot.Host ?? string.Empty);
                return;
            case WireProtocol.InitErrorKind when state == DispatcherSlotState.Starting:
                _writer.TryWrite(incarnation, WorkerEvent.InitError(worker, RedisWire.Text(fields, RedisWire.Message) ?? "the host reported an init error without a reason"));
                return;
            case WireProtocol.ResultKind or WireProtocol.ErrorKind when state == DispatcherSlotState.Ready:
                _writer.TryWrite(incarnation, await ToReplyAsync(worker, kind, fields).ConfigureAwait(false));
                return;
            case WireProtocol.ProgressKind when state == DispatcherSlotState.Ready:
                // Inline only (hosts never use a side key for progress); the pool drops it if the job already ended.
                _writer.TryWrite(incarnation, WireProtocol.ParseEvent(worker, kind, RedisWire.Text(fields, RedisWire.Id), fields.TryGetValue(RedisWire.Payload, out RedisValue value) && !value.IsNull ? (byte[])value! : ReadOnlyMemory<byte>.Empty));
                return;
            case WireProtocol.ProgressKind:
                return;
            case WireProtocol.ReadyKind or WireProtocol.InitErrorKind or WireProtocol.ResultKind or WireProtocol.ErrorKind:
                Log.StaleReply(_logger, _context.PoolName, worker, generation, generation);
                return;
            default:
                _writer.TryWrite(incarnation, WireProtocol.ParseEvent(worker, kind, null, default));
                return;
        }
    }

    private async Task<WorkerEvent> ToReplyAsync(int worker, string kind, Dictionary<string, RedisValue> fields)
    {
        string? id = RedisWire.Text(fields, RedisWire.Id);
        if (kind == WireProtocol.ErrorKind)
        {
            return WireProtocol.ParseEvent(
                worker,
                kind,
                id,
                default,
                RedisWire.Text(fields, RedisWire.ErrorKind),
                RedisWire.Text(fields, RedisWire.ErrorType),
                RedisWire.Text(fields, RedisWire.Message),
                RedisWire.Text(fields, RedisWire.Stack));
        }

        (byte[]? payload, string? problem) = await RedisPayloads.ReadAsync(_db, fields, _blobPrefix, _options.MaxPayloadSize, "output").ConfigureAwait(false);
        if (payload is null && JobId.TryParse(id, out JobId jobId))
        {
            // The job must still end: as an output-serialization failure naming what went wrong.
            return WorkerEvent.Error(worker, jobId, JobErrorKind.OutputSerialization, "byte[]", problem ?? "no output", null);
        }

        return WireProtocol.ParseEvent(worker, kind, id, payload ?? ReadOnlyMemory<byte>.Empty);
    }

    private async Task CheckLeasesAsync()
    {
        List<(int Index, long Generation, Task<RedisValue> Lease)> checks = [];
        lock (_gate)
        {
            foreach (DispatcherSlot slot in _slots)
            {
                if (slot.State == DispatcherSlotState.Ready)
                {
                    checks.Add((slot.Index, slot.Generation, _db.StringGetAsync(_keys.Lease(DispatcherId, slot.Index))));
                }
            }
        }

        Task announced = AnnounceAsync();
        await Task.WhenAll(checks.Select(c => (Task)c.Lease).Append(announced)).ConfigureAwait(false);
        List<(int Index, long Generation, string Reason)>? lost = null;
        foreach ((int index, long generation, Task<RedisValue> lease) in checks)
        {
            RedisValue value = lease.Result;
            if (value.IsNull)
            {
                (lost ??= []).Add((index, generation, "its host's lease expired (the host died, was paused or was cut off from Redis)"));
            }
            else if (!RedisWire.TryLeaseGeneration(value, out long leased) || leased != generation)
            {
                (lost ??= []).Add((index, generation, "its lease belongs to another generation"));
            }
        }

        if (lost is null)
        {
            return;
        }

        // Whatever the host wrote before its lease lapsed is in the reply stream already: deliver it first.
        await DrainRepliesAsync().ConfigureAwait(false);
        foreach ((int index, long generation, string reason) in lost)
        {
            ReportLost(index, generation, reason);
        }
    }

    private void LoseAllReady(string reason)
    {
        List<(int, long)> ready = [];
        lock (_gate)
        {
            ready.AddRange(_slots.Where(s => s.State == DispatcherSlotState.Ready).Select(s => (s.Index, s.Generation)));
        }

        foreach ((int index, long generation) in ready)
        {
            ReportLost(index, generation, reason);
        }
    }

    private void ReportLost(int workerIndex, long generation, string reason)
    {
        DispatcherSlot slot = _slots[workerIndex];
        int incarnation;
        lock (_gate)
        {
            if (_disposed || slot.Generation != generation || slot.State != DispatcherSlotState.Ready)
            {
                return;
            }

            slot.State = DispatcherSlotState.Gone;
            slot.Host = null;
            incarnation = slot.Incarnation;
        }

        Log.SlotLost(_logger, _context.PoolName, workerIndex, reason);
        _writer.TryWrite(incarnation, WorkerEvent.Crashed(workerIndex, reason));
    }

    private DispatcherSlot GetSlot(int workerIndex)
    {
        DispatcherSlot[] slots = _slots;
        if ((uint)workerIndex >= (uint)slots.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(workerIndex), workerIndex, $"Worker index must be in [0, {slots.Length}).");
        }

        return slots[workerIndex];
    }

    public async ValueTask DisposeAsync()
    {
        List<(int Index, long Generation, RedisKey Stream)> live = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (DispatcherSlot slot in _slots)
            {
                if (slot.State != DispatcherSlotState.Idle)
                {
                    live.Add((slot.Index, ++slot.Generation, slot.Stream));
                    slot.State = DispatcherSlotState.Gone;
                }
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _router.ConfigureAwait(false);
        _bell?.Dispose();
        if (_connection is not null)
        {
            try
            {
                // Withdraw offers, fence and tell hosts to abandon; the old streams expire shortly after (docs/redis.md).
                await Task.WhenAll(live.Select(s => (Task)RunOfferScriptAsync(s.Index, s.Generation, s.Stream, offer: false))).ConfigureAwait(false);
                await _db.KeyDeleteAsync([_dispatcherKey, _replies]).ConfigureAwait(false);
                await _subscriber.UnsubscribeAsync(_repliesBell).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.CleanupFailed(_logger, _context.PoolName, ex.Message);
            }

            if (_ownsConnection)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stop.Dispose();
    }
}
