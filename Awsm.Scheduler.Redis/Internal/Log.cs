using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>The Redis transport's log events (ids 300–349). Nothing logged here carries a credential.</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "Pool '{Pool}': Redis dispatcher {Dispatcher} ready under '{Root}' for {WorkerCount} worker slot(s).")]
    public static partial void DispatcherStarted(ILogger logger, string pool, string dispatcher, string root, int workerCount);

    [LoggerMessage(301, LogLevel.Warning, "Pool '{Pool}': dropped a reply entry {EntryId}: {Problem}")]
    public static partial void ReplyDropped(ILogger logger, string pool, string entryId, string problem);

    [LoggerMessage(302, LogLevel.Debug, "Pool '{Pool}': dropped a stale reply of worker {Worker} (generation {Generation}, current {Current}).")]
    public static partial void StaleReply(ILogger logger, string pool, int worker, long generation, long current);

    [LoggerMessage(303, LogLevel.Warning, "Pool '{Pool}': worker {Worker} lost: {Reason}")]
    public static partial void SlotLost(ILogger logger, string pool, int worker, string reason);

    [LoggerMessage(304, LogLevel.Warning, "Pool '{Pool}': Redis call failed in the reply router: {Message}")]
    public static partial void RouterRedisFailed(ILogger logger, string pool, string message);

    [LoggerMessage(305, LogLevel.Information, "Pool '{Pool}': worker {Worker} is served by host '{Host}'.")]
    public static partial void SlotServedBy(ILogger logger, string pool, int worker, string host);

    [LoggerMessage(306, LogLevel.Warning, "Pool '{Pool}': could not clean up Redis keys: {Message}")]
    public static partial void CleanupFailed(ILogger logger, string pool, string message);

    [LoggerMessage(320, LogLevel.Information, "Worker host '{Host}': serving slots for pool(s) {Pools} under prefix '{Prefix}', up to {MaxSlots} slot(s).")]
    public static partial void HostStarted(ILogger logger, string host, string pools, string prefix, int maxSlots);

    [LoggerMessage(321, LogLevel.Information, "Worker host '{Host}': claimed worker {Worker} of pool '{Pool}' (dispatcher {Dispatcher}, generation {Generation}).")]
    public static partial void SlotClaimed(ILogger logger, string host, int worker, string pool, string dispatcher, long generation);

    [LoggerMessage(322, LogLevel.Warning, "Worker host '{Host}': gave up worker {Worker} of pool '{Pool}' (dispatcher {Dispatcher}): {Reason}")]
    public static partial void SlotAbandoned(ILogger logger, string host, int worker, string pool, string dispatcher, string reason);

    [LoggerMessage(323, LogLevel.Information, "Worker host '{Host}': handed worker {Worker} of pool '{Pool}' over (dispatcher {Dispatcher}).")]
    public static partial void SlotHandedOver(ILogger logger, string host, int worker, string pool, string dispatcher);

    [LoggerMessage(324, LogLevel.Information, "Worker host '{Host}': not serving dispatcher {Dispatcher} of pool '{Pool}': {Reason}")]
    public static partial void DispatcherIncompatible(ILogger logger, string host, string dispatcher, string pool, string reason);

    [LoggerMessage(325, LogLevel.Warning, "Worker host '{Host}': dropped an entry {EntryId} for worker {Worker} of pool '{Pool}': {Problem}")]
    public static partial void EntryDropped(ILogger logger, string host, string entryId, int worker, string pool, string problem);

    [LoggerMessage(326, LogLevel.Warning, "Worker host '{Host}': Redis call failed: {Message}")]
    public static partial void HostRedisFailed(ILogger logger, string host, string message);

    [LoggerMessage(327, LogLevel.Information, "Worker host '{Host}': draining {SlotCount} slot(s) before shutdown.")]
    public static partial void HostDraining(ILogger logger, string host, int slotCount);

    [LoggerMessage(329, LogLevel.Information, "Worker host '{Host}': released worker {Worker} of pool '{Pool}' (dispatcher {Dispatcher}): {Reason}")]
    public static partial void SlotWithdrawn(ILogger logger, string host, int worker, string pool, string dispatcher, string reason);

    [LoggerMessage(328, LogLevel.Error, "Worker host '{Host}': the job loop of worker {Worker} of pool '{Pool}' failed.")]
    public static partial void JobLoopFailed(ILogger logger, string host, int worker, string pool, Exception exception);
}
