namespace Awsm.Scheduler;

/// <summary>The lifecycle state of one worker slot.</summary>
public enum WorkerState
{
    /// <summary>Not started yet.</summary>
    Idle,

    /// <summary>Started, not ready yet.</summary>
    Starting,

    /// <summary>Ready: in rotation.</summary>
    Ready,

    /// <summary>Crashed or failed to start; a respawn is scheduled.</summary>
    Respawning,

    /// <summary>Given up after too many consecutive failures; out of rotation for good.</summary>
    Evicted,

    /// <summary>Stopped with the pool.</summary>
    Stopped,
}
