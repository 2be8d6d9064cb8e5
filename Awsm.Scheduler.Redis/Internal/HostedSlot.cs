using System.Collections.Concurrent;
using System.Diagnostics;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// One claimed worker slot on a host: a reader loop that takes the slot's stream entries (in order, each at most
/// once: read entries are deleted), a dedicated thread that runs Core's <see cref="WorkerJobRuntime"/>, and the
/// replies written to the dispatcher's reply stream. Everything read is untrusted: malformed, oversized and foreign
/// entries are logged and dropped.
/// </summary>
internal sealed class HostedSlot
{
    private const int DedupeWindow = 65_536;

    private readonly WorkerHostShared _shared;
    private readonly WorkerHostPool _pool;
    private readonly RedisKeys _keys;
    private readonly BlockingCollection<WorkerMessage> _inbox = [];
    private readonly ConcurrentDictionary<long, byte> _queued = new();
    private readonly HashSet<long> _seen = [];
    private readonly Queue<long> _seenOrder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, RedisValue> _fields = new(StringComparer.Ordinal);
    private readonly RedisKey _stream;
    private readonly RedisChannel _bellChannel;
    private readonly RedisKey _replies;
    private readonly RedisChannel _repliesBell;
    private readonly RedisKey _lease;
    private readonly RedisKey _dispatcherKey;
    private readonly string _blobPrefix;
    private readonly WorkerJobRuntime _runtime;
    private readonly Doorbell _bell;
    private RedisValue _cursor;
    private Thread? _thread;
    private Task _reader = Task.CompletedTask;
    private int _outstanding;
    private volatile bool _draining;
    private volatile bool _readerStopped;
    private int _ended;

    public HostedSlot(WorkerHostShared shared, WorkerHostPool pool, string dispatcherId, int index, long generation, string cursor)
    {
        _shared = shared;
        _pool = pool;
        _keys = pool.Keys;
        DispatcherId = dispatcherId;
        Index = index;
        Generation = generation;
        _cursor = cursor == "0" ? "0-0" : cursor;
        LeaseValue = string.Concat(RedisWire.Format(generation), ":", shared.HostId);
        _stream = _keys.SlotStream(dispatcherId, index, generation);
        _bellChannel = RedisKeys.Bell(_stream);
        _replies = _keys.Replies(dispatcherId);
        _repliesBell = RedisKeys.Bell(_replies);
        _lease = _keys.Lease(dispatcherId, index);
        _dispatcherKey = _keys.Dispatcher(dispatcherId);
        _blobPrefix = _keys.BlobPrefix(dispatcherId);
        _runtime = new WorkerJobRuntime(pool.Registry, index, Reply, shared.Services);
        _bell = new Doorbell(shared.Time, shared.PollInterval);
        LastRenewed = shared.Time.GetTimestamp();
    }

    public string DispatcherId { get; }

    public int Index { get; }

    public long Generation { get; }

    public string LeaseValue { get; }

    public RedisKey Lease => _lease;

    public RedisKey DispatcherKey => _dispatcherKey;

    public string PoolName => _pool.Name;

    /// <summary>Gets or sets when the lease was last renewed (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastRenewed { get; set; }

    /// <summary>Gets a task that completes when the slot ended (handed over, abandoned or lost).</summary>
    public Task Ended => _drained.Task;

    private IDatabase Db => _shared.Database;

    public async Task StartAsync()
    {
        _thread = new Thread(RunJobs) { IsBackground = true, Name = $"awsm-redis {_pool.Name}#{Index}" };
        _thread.Start();
        await _shared.Subscriber.SubscribeAsync(_bellChannel, (_, _) => _bell.Ring()).ConfigureAwait(false);
        await WriteReplyAsync([new(RedisWire.Kind, WireProtocol.ReadyKind), new(RedisWire.Host, _shared.HostName)]).ConfigureAwait(false);
        _reader = Task.Run(ReadAsync, CancellationToken.None);
        _bell.Ring();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (!_readerStopped && await _bell.WaitAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await ReadBatchesAsync().ConfigureAwait(false);
                    if (_draining)
                    {
                        // Everything before the cursor is ours and taken; the rest is the next host's.
                        _readerStopped = true;
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException && !_stop.IsCancellationRequested)
                {
                    // Renewal decides whether the slot is lost; reading resumes at the same cursor.
                    Log.HostRedisFailed(_shared.Logger, _shared.HostName, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Abandoned.
        }
        catch (Exception ex)
        {
            // Anything else would leave the slot claimed, its lease renewed and its jobs unread: end it visibly instead.
            // The lease lapses, so the dispatcher fails what the slot held and starts it again.
            Abandon($"its stream reader failed ({ex.GetType().Name}: {ex.Message})");
        }
        finally
        {
            _readerStopped = true;
            CheckDrained();
        }
    }

    private async Task ReadBatchesAsync()
    {
        while (!_readerStopped)
        {
            StreamEntry[] entries = await Db.StreamReadAsync(_stream, _cursor, RedisDefaults.ReadBatch).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                return;
            }

            List<RedisValue> consumed = new(entries.Length);
            foreach (StreamEntry entry in entries)
            {
                if (!await HandleEntryAsync(entry).ConfigureAwait(false))
                {
                    // Draining: this entry and every later one belong to the next host.
                    _readerStopped = true;
                    break;
                }

                consumed.Add(entry.Id);
                _cursor = entry.Id;
                if (Volatile.Read(ref _ended) != 0)
                {
                    break;
                }
            }

            if (consumed.Count > 0)
            {
                _ = Db.StreamDeleteAsync(_stream, [.. consumed], CommandFlags.FireAndForget);
            }

            if (entries.Length < RedisDefaults.ReadBatch || Volatile.Read(ref _ended) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Handles one entry; <see langword="false"/> when draining reached a job (left for the next host).</summary>
    private async Task<bool> HandleEntryAsync(StreamEntry entry)
    {
        Dictionary<string, RedisValue> fields = _fields;
        if (entry.Values is null || !RedisWire.TryIndex(entry.Values, fields))
        {
            Drop(entry, "too many fields");
            return true;
        }

        string? kind = RedisWire.Text(fields, RedisWire.Kind);
        switch (kind)
        {
            case RedisWire.AbandonKind:
                if (Volatile.Read(ref _ended) == 0)
                {
                    Log.SlotWithdrawn(_shared.Logger, _shared.HostName, Index, _pool.Name, DispatcherId, "the dispatcher withdrew the slot (stopped, or restarted it)");
                }

                End();
                _runtime.CancelAll();
                return true;
            case WireProtocol.CancelKind:
                if (WireProtocol.TryParseMessage(kind, RedisWire.Text(fields, RedisWire.Id), null, default, null, null, out WorkerMessage cancel, out string? problem))
                {
                    // A job still queued is dropped (the pool already ended it); a running one gets its token fired.
                    if (!_queued.TryRemove(cancel.JobId.Value, out _))
                    {
                        _runtime.Cancel(cancel.JobId);
                    }
                }
                else
                {
                    Drop(entry, problem!);
                }

                return true;
            case WireProtocol.JobKind when _draining:
                return false;
            case WireProtocol.JobKind:
                await AcceptJobAsync(entry, fields).ConfigureAwait(false);
                return true;
            default:
                Drop(entry, $"unknown kind '{kind}'");
                return true;
        }
    }

    private async Task AcceptJobAsync(StreamEntry entry, Dictionary<string, RedisValue> fields)
    {
        string? id = RedisWire.Text(fields, RedisWire.Id);
        string? name = RedisWire.Text(fields, RedisWire.JobName);
        string? traceParent = RedisWire.Text(fields, RedisWire.TraceParent);
        string? traceState = RedisWire.Text(fields, RedisWire.TraceState);
        (byte[]? payload, string? payloadProblem) = await RedisPayloads.ReadAsync(Db, fields, _blobPrefix, _shared.Options.MaxPayloadSize, "input").ConfigureAwait(false);
        if (!WireProtocol.TryParseMessage(WireProtocol.JobKind, id, name, payload ?? ReadOnlyMemory<byte>.Empty, traceParent, traceState, out WorkerMessage job, out string? problem))
        {
            Drop(entry, problem!);
            return;
        }

        if (!_seen.Add(job.JobId.Value))
        {
            // A duplicated envelope must not reach the runtime twice: its second answer could win.
            Drop(entry, $"duplicate of job {job.JobId}");
            return;
        }

        _seenOrder.Enqueue(job.JobId.Value);
        if (_seenOrder.Count > DedupeWindow)
        {
            _seen.Remove(_seenOrder.Dequeue());
        }

        Interlocked.Increment(ref _outstanding);
        if (payload is null)
        {
            // The job must still end: as an input-serialization failure naming the problem.
            string typeName = _pool.Registry.TryGet(job.JobName!, out JobDescriptor? descriptor) ? descriptor.InputType.FullName ?? "unknown" : "unknown";
            Reply(WorkerEvent.Error(Index, job.JobId, JobErrorKind.InputSerialization, typeName, payloadProblem ?? "no input", null));
            return;
        }

        _queued[job.JobId.Value] = 0;
        try
        {
            _inbox.Add(job);
        }
        catch (InvalidOperationException)
        {
            // Abandoned meanwhile: nothing more runs here.
            _queued.TryRemove(job.JobId.Value, out _);
            JobDone();
        }
    }

    private void RunJobs()
    {
        foreach (WorkerMessage job in _inbox.GetConsumingEnumerable())
        {
            if (!_queued.TryRemove(job.JobId.Value, out _))
            {
                // Cancelled while queued: the pool already ended it, so it neither runs nor answers.
                JobDone();
                continue;
            }

            try
            {
                _runtime.Handle(job);
            }
            catch (Exception ex)
            {
                // The runtime answers every failure of a job itself; reaching here is a bug, not a job error.
                Log.JobLoopFailed(_shared.Logger, _shared.HostName, Index, _pool.Name, ex);
            }
        }
    }

    /// <summary>The runtime's reply callback (thread-safe): writes the reply, then counts the job done.</summary>
    private void Reply(WorkerEvent e)
    {
        if (e.Kind == WorkerEventKind.Progress)
        {
            SendProgress(e);
            return;
        }

        Debug.Assert(e.Kind is WorkerEventKind.Result or WorkerEventKind.Error, "the runtime answers jobs and reports their progress");
        if (Volatile.Read(ref _ended) != 0)
        {
            JobDone();
            return;
        }

        NameValueEntry[] entry;
        try
        {
            entry = e.Kind == WorkerEventKind.Result ? ResultEntry(e) : ErrorEntry(e.JobId, e.ErrorKind, e.ErrorType, e.Message, e.RemoteStackTrace);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Abandon($"could not write a reply: {ex.Message}");
            JobDone();
            return;
        }

        _ = CompleteReplyAsync(entry);
    }

    private async Task CompleteReplyAsync(NameValueEntry[] entry)
    {
        try
        {
            await WriteReplyAsync(entry).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The dispatcher will not hear this answer: give the slot up so its lease lapses and the job fails over.
            Abandon($"could not write a reply: {ex.Message}");
        }
        finally
        {
            JobDone();
        }
    }

    /// <summary>
    /// Progress is best-effort (the runtime already coalesces it): sent inline, never through a side key, and dropped
    /// when too large or when the slot is ending. It does not count towards the job's end.
    /// </summary>
    private void SendProgress(in WorkerEvent e)
    {
        ReadOnlyMemory<byte> value = e.Payload.Bytes;
        if (Volatile.Read(ref _ended) != 0 || value.Length > _shared.Options.InlinePayloadLimit)
        {
            return;
        }

        NameValueEntry[] entry = [new(RedisWire.Kind, WireProtocol.ProgressKind), new(RedisWire.Id, e.JobId.ToString()), new(RedisWire.Payload, value.ToArray())];
        _ = SendProgressAsync(entry);
    }

    private async Task SendProgressAsync(NameValueEntry[] entry)
    {
        try
        {
            await WriteReplyAsync(entry).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A lost progress report is not worth the slot: the job's own reply decides.
        }
    }

    private NameValueEntry[] ResultEntry(in WorkerEvent e)
    {
        ReadOnlyMemory<byte> output = e.Payload.Bytes;
        RedisWorkerHostOptions options = _shared.Options;
        if (output.Length > options.MaxPayloadSize)
        {
            return ErrorEntry(e.JobId, JobErrorKind.OutputSerialization, "byte[]", $"the encoded output is {output.Length} bytes, above the host's MaxPayloadSize of {options.MaxPayloadSize} bytes", null);
        }

        byte[] copy = output.ToArray();
        NameValueEntry payload;
        if (copy.Length > options.InlinePayloadLimit)
        {
            RedisKey blob = _keys.NewBlob(DispatcherId);
            _ = Db.StringSetAsync(blob, copy, WorkerHostShared.BlobTimeToLive, flags: CommandFlags.FireAndForget);
            payload = new(RedisWire.PayloadKey, blob.ToString());
        }
        else
        {
            payload = new(RedisWire.Payload, copy);
        }

        return [new(RedisWire.Kind, WireProtocol.ResultKind), new(RedisWire.Id, e.JobId.ToString()), payload];
    }

    private static NameValueEntry[] ErrorEntry(JobId id, JobErrorKind kind, string? type, string? message, string? stack)
    {
        var fields = new List<NameValueEntry>(6)
        {
            new(RedisWire.Kind, WireProtocol.ErrorKind),
            new(RedisWire.Id, id.ToString()),
            new(RedisWire.ErrorKind, WireProtocol.ToWire(kind)),
            new(RedisWire.ErrorType, type ?? "unknown"),
            new(RedisWire.Message, message ?? string.Empty),
        };
        if (stack is not null)
        {
            fields.Add(new(RedisWire.Stack, stack));
        }

        return [.. fields];
    }

    private async Task WriteReplyAsync(NameValueEntry[] entry)
    {
        NameValueEntry[] all = new NameValueEntry[entry.Length + 2];
        all[0] = new(RedisWire.Slot, Index);
        all[1] = new(RedisWire.Generation, Generation);
        entry.CopyTo(all, 2);
        Task written = Db.StreamAddAsync(_replies, all);
        _ = _shared.Subscriber.PublishAsync(_repliesBell, RedisValue.EmptyString, CommandFlags.FireAndForget);
        await written.ConfigureAwait(false);
    }

    private void JobDone()
    {
        Interlocked.Decrement(ref _outstanding);
        CheckDrained();
    }

    /// <summary>Stops taking jobs (cancels still reach running ones), finishes what it holds, then hands the slot over at the stream cursor.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        _bell.Ring();
        try
        {
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: give the lease up so the dispatcher fails the rest over at once.
            await ReleaseAsync().ConfigureAwait(false);
            Abandon("shutdown timed out while draining");
            return;
        }

        if (Volatile.Read(ref _ended) != 0)
        {
            return;
        }

        try
        {
            var result = (long)await Db.ScriptEvaluateAsync(
                RedisScripts.HandOver,
                [_lease, _keys.Offers],
                [LeaseValue, RedisKeys.OfferField(DispatcherId, Index), Generation, _cursor, (long)(_shared.Options.LeaseTime * 2).TotalMilliseconds]).ConfigureAwait(false);
            if (result == 1)
            {
                Log.SlotHandedOver(_shared.Logger, _shared.HostName, Index, _pool.Name, DispatcherId);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.HostRedisFailed(_shared.Logger, _shared.HostName, ex.Message);
        }

        End();
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await Db.ScriptEvaluateAsync(RedisScripts.Release, [_lease], [LeaseValue]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.HostRedisFailed(_shared.Logger, _shared.HostName, ex.Message);
        }
    }

    private void CheckDrained()
    {
        if (_draining && _readerStopped && Volatile.Read(ref _outstanding) == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops serving the slot at once: the lease is lost or the dispatcher withdrew it. Nothing more is answered.</summary>
    public void Abandon(string reason)
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            Log.SlotAbandoned(_shared.Logger, _shared.HostName, Index, _pool.Name, DispatcherId, reason);
        }

        End();
        _runtime.CancelAll();
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _readerStopped = true;
        _stop.Cancel();
        _inbox.CompleteAdding();
        _bell.Dispose();
        _ = _shared.Subscriber.UnsubscribeAsync(_bellChannel, null, CommandFlags.FireAndForget);
        _drained.TrySetResult();
        _shared.OnEnded(this);
    }

    private void Drop(StreamEntry entry, string problem) =>
        Log.EntryDropped(_shared.Logger, _shared.HostName, entry.Id.ToString(), Index, _pool.Name, problem);
}
