namespace Awsm.Scheduler.Redis.Internal;

/// <summary>Where a slot is in its life, as the dispatcher sees it.</summary>
internal enum DispatcherSlotState
{
    /// <summary>Never started.</summary>
    Idle,

    /// <summary>Offered; no host has claimed it yet (reports nothing: the pool's start timeout decides).</summary>
    Starting,

    /// <summary>A host claimed it and said ready; its lease is checked.</summary>
    Ready,

    /// <summary>Crashed, failed to start or terminated; nothing more is reported until the next start.</summary>
    Gone,
}
