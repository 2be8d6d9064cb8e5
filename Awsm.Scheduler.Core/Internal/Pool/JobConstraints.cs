using System.Diagnostics;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The limits a job may have to wait for besides a worker: its key, when the pool runs one job per key at a time
/// (<see cref="WorkerPoolOptions.OneJobPerKey"/>), and its type's cap on jobs at once
/// (<see cref="JobRegistry.SetMaxConcurrency{TJob}(int)"/>). Jobs with neither never come here.
/// </summary>
/// <remarks>
/// <para>
/// A constrained job holds a place in the queue from its acceptance, so the queue's bound covers the jobs parked here
/// too. It takes its key first, then a place under its type's cap; what it cannot take yet, it waits for in that
/// limit's first-in-first-out list. A job parked on its type's cap keeps its key meanwhile, so the jobs of one key
/// start in dispatch order. Holders are admitted jobs (in a lane of the queue, or sent), which end without waiting for
/// anything here, so no job waits on a job that waits on it.
/// </para>
/// <para>
/// A job gives back what it holds when it ends (its claim), and the heads of the lists it freed are admitted. Every
/// change happens under one lock, taken only by constrained jobs.
/// </para>
/// </remarks>
internal sealed class JobConstraints
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Limit> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Limit> _types = new(StringComparer.Ordinal);

    /// <summary>Gets how many jobs wait here (for a key or under a cap).</summary>
    public int ParkedCount
    {
        get
        {
            lock (_gate)
            {
                return _keys.Values.Sum(l => l.Waiters.Count) + _types.Values.Sum(l => l.Waiters.Count);
            }
        }
    }

    /// <summary>
    /// Takes what <paramref name="ticket"/>'s job needs, or parks it: <see cref="TicketState.Admitted"/> when the job may
    /// go to its lane now, <see cref="TicketState.WaitingForKey"/> or <see cref="TicketState.WaitingForCap"/> when it
    /// waits here, <see cref="TicketState.Ended"/> when the job ended before (it takes nothing).
    /// </summary>
    public TicketState Admit(ConstraintTicket ticket)
    {
        lock (_gate)
        {
            if (ticket.State == TicketState.Ended)
            {
                return TicketState.Ended;
            }

            Debug.Assert(ticket.State == TicketState.New, "A ticket is admitted once.");
            if (ticket.Key is { } key)
            {
                Limit limit = LimitOf(_keys, key);
                if (limit.Held > 0 || limit.Waiters.Count > 0)
                {
                    Park(ticket, limit, TicketState.WaitingForKey);
                    return ticket.State;
                }

                limit.Held = 1;
                ticket.HoldsKey = true;
            }

            TryTakeCap(ticket, isHead: false);
            return ticket.State;
        }
    }

    /// <summary>
    /// Gives back what the ended job of <paramref name="ticket"/> held, or takes it out of the list it waited in.
    /// Adds the jobs that may go now to <paramref name="admitted"/> (none once <paramref name="admitMore"/> is false:
    /// the pool stops). Returns whether the job was parked (its place in the queue is then free again).
    /// </summary>
    public bool Release(ConstraintTicket ticket, List<ConstraintTicket> admitted, bool admitMore)
    {
        lock (_gate)
        {
            bool wasParked = ticket.State is TicketState.WaitingForKey or TicketState.WaitingForCap;
            if (ticket.WaitingIn is { } waitingIn)
            {
                waitingIn.Waiters.Remove(ticket.Node!);
                ticket.WaitingIn = null;
                ticket.Node = null;
            }

            ticket.State = TicketState.Ended;
            if (ticket.HoldsKey)
            {
                ticket.HoldsKey = false;
                Limit key = _keys[ticket.Key!];
                key.Held = 0;
                if (admitMore && key.Waiters.First is { } next)
                {
                    ConstraintTicket head = next.Value;
                    Unpark(head);
                    key.Held = 1;
                    head.HoldsKey = true;
                    if (TryTakeCap(head, isHead: false))
                    {
                        admitted.Add(head);
                    }
                }

                Forget(_keys, ticket.Key!, key);
            }

            if (ticket.HoldsCap)
            {
                ticket.HoldsCap = false;
                Limit type = _types[ticket.JobName];
                type.Held--;
                while (admitMore && type.Held < ticket.Cap && type.Waiters.First is { } next)
                {
                    ConstraintTicket head = next.Value;
                    Unpark(head);
                    bool taken = TryTakeCap(head, isHead: true);
                    Debug.Assert(taken, "The head of a cap's list fits under the cap it waited for.");
                    admitted.Add(head);
                }

                Forget(_types, ticket.JobName, type);
            }
            else if (wasParked && ticket.Cap > 0 && _types.TryGetValue(ticket.JobName, out Limit? type))
            {
                Forget(_types, ticket.JobName, type);
            }

            return wasParked;
        }
    }

    private bool TryTakeCap(ConstraintTicket ticket, bool isHead)
    {
        if (ticket.Cap > 0)
        {
            Limit limit = LimitOf(_types, ticket.JobName);
            if (limit.Held >= ticket.Cap || (!isHead && limit.Waiters.Count > 0))
            {
                Park(ticket, limit, TicketState.WaitingForCap);
                return false;
            }

            limit.Held++;
            ticket.HoldsCap = true;
        }

        ticket.State = TicketState.Admitted;
        return true;
    }

    private static void Park(ConstraintTicket ticket, Limit limit, TicketState state)
    {
        ticket.State = state;
        ticket.WaitingIn = limit;
        ticket.Node = limit.Waiters.AddLast(ticket);
    }

    private static void Unpark(ConstraintTicket ticket)
    {
        ticket.WaitingIn!.Waiters.Remove(ticket.Node!);
        ticket.WaitingIn = null;
        ticket.Node = null;
    }

    private static Limit LimitOf(Dictionary<string, Limit> limits, string name)
    {
        if (!limits.TryGetValue(name, out Limit? limit))
        {
            limits[name] = limit = new Limit();
        }

        return limit;
    }

    /// <summary>Drops a limit nobody holds or waits for, so a pool that sees many keys does not keep them all.</summary>
    private static void Forget(Dictionary<string, Limit> limits, string name, Limit limit)
    {
        if (limit.Held == 0 && limit.Waiters.Count == 0)
        {
            limits.Remove(name);
        }
    }

    internal sealed class Limit
    {
        public int Held;
        public readonly LinkedList<ConstraintTicket> Waiters = new();
    }

    internal enum TicketState
    {
        New,
        WaitingForKey,
        WaitingForCap,
        Admitted,
        Ended,
    }

    /// <summary>
    /// One constrained job's standing: what it holds, where it waits, and the lane it goes to once admitted. Read and
    /// written under the constraints' lock only (its job and lane are fixed at creation).
    /// </summary>
    internal sealed class ConstraintTicket(PendingRef job, int lane, string jobName, string? key, int cap)
    {
        public PendingRef Job { get; } = job;

        public int Lane { get; } = lane;

        public string JobName { get; } = jobName;

        public string? Key { get; } = key;

        public int Cap { get; } = cap;

        public TicketState State { get; set; }

        public bool HoldsKey { get; set; }

        public bool HoldsCap { get; set; }

        public Limit? WaitingIn { get; set; }

        public LinkedListNode<ConstraintTicket>? Node { get; set; }
    }
}
