namespace Awsm.Scheduler;

/// <summary>What <c>DispatchAsync</c> does when the dispatch queue is full.</summary>
public enum QueueFullMode
{
    /// <summary>Wait for room (honouring the caller's cancellation token). The default.</summary>
    Wait,

    /// <summary>Fail at once with <see cref="QueueFullException"/>.</summary>
    Reject,
}
