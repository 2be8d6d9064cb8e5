using System.Collections.Concurrent;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal;

/// <summary>
/// Counts, per job input, the worker crashes in a row that happened while a worker held it, and quarantines an input
/// once the count reaches the threshold (see <see cref="WorkerPoolOptions.PoisonJobThreshold"/>).
/// </summary>
/// <remarks>
/// An input is keyed by its job name and a hash of its payload: the encoded bytes, or the value's
/// <see cref="object.GetHashCode"/> for by-reference payloads. Hashes are computed only where they are needed: when a
/// worker crashed, and on dispatch or reply only while the job's name has entries. Reads are lock-free; changes happen
/// under a lock, which is taken only on crashes and on replies for inputs that have strikes. At most
/// <see cref="Capacity"/> inputs are tracked; a new one then evicts the oldest.
/// </remarks>
internal sealed class PoisonJobTracker
{
    /// <summary>The default bound on tracked inputs.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly int _threshold;
    private readonly ConcurrentDictionary<PoisonKey, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, int> _entriesPerJob = new(StringComparer.Ordinal);
    private readonly LinkedList<PoisonKey> _oldestFirst = new();
    private readonly Lock _gate = new();
    private int _quarantined;
    private int _tracked;

    public PoisonJobTracker(int threshold, int capacity = DefaultCapacity)
    {
        System.Diagnostics.Debug.Assert(threshold > 0 && capacity > 0, "Poison detection needs a positive threshold and capacity.");
        _threshold = threshold;
        Capacity = capacity;
    }

    /// <summary>Gets the most inputs tracked at once.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of inputs tracked (with strikes or quarantined).</summary>
    public int Count => Volatile.Read(ref _tracked);

    /// <summary>Gets the number of inputs in quarantine.</summary>
    public int QuarantinedCount => Volatile.Read(ref _quarantined);

    /// <summary>Tells whether an input is quarantined; <paramref name="crashes"/> is its strike count.</summary>
    public bool IsQuarantined(string jobName, in JobPayload payload, out int crashes)
    {
        crashes = 0;
        if (!HasEntriesFor(jobName) || KeyOf(jobName, payload) is not { } key || !_entries.TryGetValue(key, out Entry? entry))
        {
            return false;
        }

        crashes = Volatile.Read(ref entry.Strikes);
        return entry.Quarantined;
    }

    /// <summary>Gets an input's strikes (0 when untracked).</summary>
    public int StrikesOf(string jobName, in JobPayload payload) =>
        KeyOf(jobName, payload) is { } key && _entries.TryGetValue(key, out Entry? entry) ? Volatile.Read(ref entry.Strikes) : 0;

    /// <summary>
    /// Records that a worker crashed holding the input. Returns <see langword="true"/> when this strike put the input
    /// in quarantine (once per input); <paramref name="strikes"/> is its count after the strike.
    /// </summary>
    public bool RecordCrash(string jobName, in JobPayload payload, out int strikes)
    {
        strikes = 0;
        if (KeyOf(jobName, payload) is not { } key)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out Entry? entry))
            {
                if (_tracked >= Capacity)
                {
                    RemoveLocked(_oldestFirst.First!.Value);
                }

                entry = new Entry(_oldestFirst.AddLast(key));
                _entries[key] = entry;
                Volatile.Write(ref _tracked, _tracked + 1);
                _entriesPerJob.AddOrUpdate(jobName, 1, static (_, n) => n + 1);
            }

            strikes = Interlocked.Increment(ref entry.Strikes);
            if (entry.Quarantined || strikes < _threshold)
            {
                return false;
            }

            entry.Quarantined = true;
            _quarantined++;
            return true;
        }
    }

    /// <summary>Forgets an input's strikes: a worker ran it to the end. A quarantined input stays quarantined.</summary>
    public void RecordReply(string jobName, in JobPayload payload)
    {
        if (!HasEntriesFor(jobName) || KeyOf(jobName, payload) is not { } key || !_entries.TryGetValue(key, out Entry? entry) || entry.Quarantined)
        {
            return;
        }

        lock (_gate)
        {
            if (_entries.TryGetValue(key, out entry) && !entry.Quarantined)
            {
                RemoveLocked(key);
            }
        }
    }

    /// <summary>Computes an input's key; <see langword="null"/> when the input cannot be hashed (its GetHashCode threw).</summary>
    internal static PoisonKey? KeyOf(string jobName, in JobPayload payload)
    {
        if (payload.IsEncoded)
        {
            ReadOnlySpan<byte> bytes = payload.Bytes.Span;
            var hash = default(HashCode);
            hash.AddBytes(bytes);
            return new PoisonKey(jobName, ((long)bytes.Length << 32) | (uint)hash.ToHashCode());
        }

        try
        {
            // What EqualityComparer<TInput>.Default.GetHashCode returns for a non-null input.
            return new PoisonKey(jobName, (uint)(payload.Value?.GetHashCode() ?? 0));
        }
#pragma warning disable CA1031 // A user type's GetHashCode must not fault the pool's loops: such an input is simply not tracked.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    // A plain counter rather than ConcurrentDictionary.IsEmpty, which takes every lock when the map is empty: this
    // check runs on each dispatch.
    private bool HasEntriesFor(string jobName) => Volatile.Read(ref _tracked) != 0 && _entriesPerJob.ContainsKey(jobName);

    private void RemoveLocked(PoisonKey key)
    {
        if (!_entries.TryRemove(key, out Entry? entry))
        {
            return;
        }

        _oldestFirst.Remove(entry.Node);
        Volatile.Write(ref _tracked, _tracked - 1);
        if (entry.Quarantined)
        {
            _quarantined--;
        }

        if (_entriesPerJob.AddOrUpdate(key.JobName, 0, static (_, n) => n - 1) == 0)
        {
            _entriesPerJob.TryRemove(key.JobName, out _);
        }
    }

    /// <summary>An input as the tracker sees it: the job's name and a 64-bit hash of the input.</summary>
    internal readonly record struct PoisonKey(string JobName, long InputHash);

    private sealed class Entry(LinkedListNode<PoisonKey> node)
    {
        public int Strikes;

        public volatile bool Quarantined;

        public LinkedListNode<PoisonKey> Node { get; } = node;
    }
}
