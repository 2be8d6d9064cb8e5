namespace Awsm.Scheduler;

/// <summary>What a bulk map does when one of its jobs fails.</summary>
public enum BulkFailurePolicy
{
    /// <summary>
    /// The first failure cancels every other job of the batch (the default). The enumeration then throws that failure,
    /// once every job it dispatched has ended: nothing of the batch is left running.
    /// </summary>
    CancelRest = 0,

    /// <summary>Every input runs; a failed item is handed back with its exception, like a successful one with its output.</summary>
    CollectAll = 1,
}
