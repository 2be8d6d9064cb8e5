using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>The dispatcher's view of one worker slot. Guarded by the dispatcher's lock.</summary>
internal sealed class DispatcherSlot
{
    public DispatcherSlot(int index) => Index = index;

    public int Index { get; }

    /// <summary>Gets or sets the current generation; bumped by every start and terminate (fencing).</summary>
    public long Generation { get; set; }

    /// <summary>Gets or sets the pool's incarnation number for the current generation: what the slot's events are written with.</summary>
    public int Incarnation { get; set; }

    public DispatcherSlotState State { get; set; }

    /// <summary>Gets or sets the name of the host serving the slot, once it is ready.</summary>
    public string? Host { get; set; }

    /// <summary>Gets or sets the stream of the current generation.</summary>
    public RedisKey Stream { get; set; }
}
