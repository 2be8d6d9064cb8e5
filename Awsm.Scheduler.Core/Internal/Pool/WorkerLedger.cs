using System.Diagnostics;
using System.Numerics;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The jobs one worker holds: a fixed table of <c>MaxInFlightPerWorker</c> entries and a bitmap of the free ones. It
/// is the worker's capacity, its pending map and its crash list in one, and it is the only per-job structure both
/// cores touch: the sender reserves an entry (one compare-exchange on a bitmap word) and writes the job into it; the
/// reply, the crash sweep and the abort read it back; the job's claim frees the entry (one atomic or).
/// </summary>
/// <remarks>
/// <para>
/// A sent job's id names its entry: <c>epoch &lt;&lt; 28 | worker &lt;&lt; 16 | entry</c>. The epoch counts the
/// entry's uses (written only by the sender that holds the reservation), so an id is never reused while an answer to
/// it could still arrive, and a reply finds its job with no lookup: decode, read one array element, check that the job
/// there was sent with this id. Ids stay below 2^53, so they survive a trip through JavaScript numbers.
/// </para>
/// <para>
/// The table never holds a job the ledger does not own: an entry is published only while its job is Sending or Sent
/// in the generation the sender holds, and freed only by that generation's claim. Readers validate what they read
/// against the job's state word (<see cref="PendingJob.TryMatchSent"/>), so a stale entry (freed, or reused for a
/// later job) is recognised and skipped, never acted on.
/// </para>
/// </remarks>
[DebuggerDisplay("Worker {_worker}: {Count} of {_capacity} entries held")]
internal sealed class WorkerLedger
{
    /// <summary>The most entries a worker can have (the upper bound of <c>MaxInFlightPerWorker</c>).</summary>
    public const int MaxEntries = 1 << EntryBits;

    /// <summary>The most workers a pool can have (the upper bound of <c>WorkerCount</c>).</summary>
    public const int MaxWorkers = 1 << WorkerBits;

    private const int EntryBits = 16;
    private const int WorkerBits = 12;
    private const int EpochShift = EntryBits + WorkerBits;
    private const long EpochMask = (1L << 25) - 1; // 28 + 25 = 53 bits

    // One cache line per entry (Stride elements apart): the sender of one job and the replier of another must not
    // write the same line. 4 KiB per worker at the default limit of 64 jobs.
    private const int Stride = 8;

    private readonly PendingJob?[] _entries;
    private readonly long[] _epochs;
    private readonly long[] _free;
    private readonly int _worker;
    private readonly int _capacity;

    public WorkerLedger(int worker, int capacity)
    {
        Debug.Assert((uint)worker < MaxWorkers && capacity is > 0 and <= MaxEntries, "Options bound the worker count and the in-flight limit.");
        _worker = worker;
        _capacity = capacity;
        _entries = new PendingJob?[capacity * Stride];
        _epochs = new long[capacity * Stride];
        _free = new long[(capacity + 63) / 64];
        for (int i = 0; i < capacity; i++)
        {
            _free[i / 64] |= 1L << (i % 64);
        }
    }

    /// <summary>Gets how many entries are reserved: the jobs this worker holds, and sends under way to it.</summary>
    public int Count
    {
        get
        {
            int free = 0;
            for (int i = 0; i < _free.Length; i++)
            {
                free += BitOperations.PopCount((ulong)Volatile.Read(ref _free[i]));
            }

            return _capacity - free;
        }
    }

    /// <summary>Reserves a free entry: the worker's capacity for one more job. Lock-free.</summary>
    /// <returns><see langword="false"/> if the worker holds as many jobs as it may.</returns>
    public bool TryReserve(out int entry)
    {
        for (int word = 0; word < _free.Length; word++)
        {
            long bits = Volatile.Read(ref _free[word]);
            while (bits != 0)
            {
                int bit = BitOperations.TrailingZeroCount(bits);
                long seen = Interlocked.CompareExchange(ref _free[word], bits & ~(1L << bit), bits);
                if (seen == bits)
                {
                    entry = (word * 64) + bit;
                    return true;
                }

                bits = seen;
            }
        }

        entry = -1;
        return false;
    }

    /// <summary>Frees a reserved entry (its job ended, or its send was given up before it was published).</summary>
    public void Release(int entry)
    {
        Debug.Assert((Volatile.Read(ref _free[entry / 64]) & (1L << (entry % 64))) == 0, "Only a reserved entry is released, once.");
        Interlocked.Or(ref _free[entry / 64], 1L << (entry % 64));
    }

    /// <summary>The id of the next use of a reserved entry. Called by the entry's reserver only.</summary>
    public JobId NextId(int entry)
    {
        long epoch = (_epochs[entry * Stride] % EpochMask) + 1; // 1 to EpochMask: an id is never 0
        _epochs[entry * Stride] = epoch;
        return new JobId((epoch << EpochShift) | ((long)_worker << EntryBits) | (uint)entry);
    }

    /// <summary>Publishes the job into its reserved entry (after its id, worker and state were written).</summary>
    public void Publish(int entry, PendingJob job) => Volatile.Write(ref _entries[entry * Stride], job);

    /// <summary>Finds the job this worker holds under <paramref name="id"/>, with its generation.</summary>
    public bool TryFind(JobId id, out PendingJob job, out long generation)
    {
        if (!TryDecode(id, out int worker, out int entry) || worker != _worker || entry >= _capacity
            || Volatile.Read(ref _entries[entry * Stride]) is not { } held
            || !held.TryMatchSent(id, out generation))
        {
            job = null!;
            generation = 0;
            return false;
        }

        job = held;
        return true;
    }

    /// <summary>The jobs this worker holds now, each with its generation (for a crash sweep or an abort).</summary>
    public List<PendingRef> Snapshot()
    {
        var held = new List<PendingRef>();
        for (int word = 0; word < _free.Length; word++)
        {
            long taken = ~Volatile.Read(ref _free[word]);
            while (taken != 0)
            {
                int bit = BitOperations.TrailingZeroCount(taken);
                taken &= taken - 1;
                int entry = (word * 64) + bit;
                if (entry < _capacity
                    && Volatile.Read(ref _entries[entry * Stride]) is { } job
                    && job.TryMatchSentTo(_worker, entry, out long generation))
                {
                    held.Add(new PendingRef(job, generation));
                }
            }
        }

        return held;
    }

    /// <summary>Splits a job id into the worker and the entry it names; <see langword="false"/> if it names none.</summary>
    public static bool TryDecode(JobId id, out int worker, out int entry)
    {
        long value = id.Value;
        worker = (int)((value >> EntryBits) & (MaxWorkers - 1));
        entry = (int)(value & (MaxEntries - 1));
        return value > 0 && (value >> EpochShift) is > 0 and <= EpochMask;
    }
}
