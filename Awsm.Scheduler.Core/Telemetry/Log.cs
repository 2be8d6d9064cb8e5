using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Telemetry;

/// <summary>The pool's log events. Event ids are stable: dashboards and alerts may rely on them.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Pool '{Pool}': starting worker {Worker}.")]
    public static partial void WorkerStarting(ILogger logger, string pool, int worker);

    [LoggerMessage(2, LogLevel.Information, "Pool '{Pool}': worker {Worker} is ready.")]
    public static partial void WorkerReady(ILogger logger, string pool, int worker);

    [LoggerMessage(3, LogLevel.Error, "Pool '{Pool}': worker {Worker} failed to start: {Reason}")]
    public static partial void WorkerInitFailed(ILogger logger, string pool, int worker, string reason);

    [LoggerMessage(4, LogLevel.Error, "Pool '{Pool}': worker {Worker} crashed holding {JobCount} job(s): {Reason}")]
    public static partial void WorkerCrashed(ILogger logger, string pool, int worker, int jobCount, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Pool '{Pool}': respawning worker {Worker} in {DelayMs} ms (consecutive failure {Failures}).")]
    public static partial void WorkerRespawning(ILogger logger, string pool, int worker, double delayMs, int failures);

    [LoggerMessage(6, LogLevel.Critical, "Pool '{Pool}': worker {Worker} evicted after {Failures} consecutive failures; {Live} of {Total} workers can still run jobs.")]
    public static partial void WorkerEvicted(ILogger logger, string pool, int worker, int failures, int live, int total);

    [LoggerMessage(7, LogLevel.Warning, "Pool '{Pool}': worker {Worker} kept running job {JobId} {GraceMs} ms after it was canceled; terminating the worker.")]
    public static partial void WorkerIgnoredCancellation(ILogger logger, string pool, int worker, long jobId, double graceMs);

    [LoggerMessage(8, LogLevel.Critical, "Pool '{Pool}' is degraded: no worker can run jobs.")]
    public static partial void PoolDegraded(ILogger logger, string pool);

    [LoggerMessage(9, LogLevel.Information, "Pool '{Pool}': worker {Worker} respawned and is ready again ({Crashes} failure(s) so far).")]
    public static partial void WorkerRespawned(ILogger logger, string pool, int worker, int crashes);

    [LoggerMessage(10, LogLevel.Warning, "Pool '{Pool}': job '{Job}' ({JobId}) failed on worker {Worker}: {ErrorType}: {Message}")]
    public static partial void JobFailed(ILogger logger, string pool, string job, long jobId, int worker, string errorType, string message);

    [LoggerMessage(11, LogLevel.Warning, "Pool '{Pool}': job '{Job}' ({JobId}) timed out after {TimeoutMs} ms.")]
    public static partial void JobTimedOut(ILogger logger, string pool, string job, long jobId, double timeoutMs);

    [LoggerMessage(12, LogLevel.Debug, "Pool '{Pool}': job '{Job}' ({JobId}) was canceled by the caller.")]
    public static partial void JobCanceled(ILogger logger, string pool, string job, long jobId);

    [LoggerMessage(13, LogLevel.Warning, "Pool '{Pool}': job '{Job}' rejected, the dispatch queue is full ({Capacity}).")]
    public static partial void QueueFull(ILogger logger, string pool, string job, int capacity);

    [LoggerMessage(14, LogLevel.Error, "Pool '{Pool}': an input of job '{Job}' crashed its worker {Crashes} time(s) in a row; it is quarantined as a poison job and further dispatches of it are refused.")]
    public static partial void JobQuarantined(ILogger logger, string pool, string job, int crashes);

    [LoggerMessage(15, LogLevel.Warning, "Pool '{Pool}': refused a dispatch of job '{Job}': its input is quarantined as a poison job.")]
    public static partial void QuarantinedJobRefused(ILogger logger, string pool, string job);

    [LoggerMessage(20, LogLevel.Warning, "Pool '{Pool}': dropped a malformed envelope from worker {Worker}: {Description}")]
    public static partial void MalformedEnvelope(ILogger logger, string pool, int worker, string description);

    [LoggerMessage(21, LogLevel.Debug, "Pool '{Pool}': dropped a {Kind} envelope from worker {Worker} for job {JobId}, which is no longer pending.")]
    public static partial void StaleEnvelope(ILogger logger, string pool, int worker, string kind, long jobId);

    [LoggerMessage(22, LogLevel.Warning, "Pool '{Pool}': dropped a {Kind} envelope for job {JobId} from worker {Worker}; the job was sent to worker {Expected}.")]
    public static partial void EnvelopeFromWrongWorker(ILogger logger, string pool, string kind, long jobId, int worker, int expected);

    [LoggerMessage(23, LogLevel.Debug, "Pool '{Pool}': dropped a {Kind} event from incarnation {Incarnation} of worker {Worker} (the pool hears incarnation {Current}, or that one already reported its outcome).")]
    public static partial void UnheardEvent(ILogger logger, string pool, int worker, string kind, int incarnation, int current);

    [LoggerMessage(30, LogLevel.Information, "Pool '{Pool}' started with {Workers} worker(s).")]
    public static partial void PoolStarted(ILogger logger, string pool, int workers);

    [LoggerMessage(31, LogLevel.Information, "Pool '{Pool}' stopping ({Mode}); {Pending} job(s) pending.")]
    public static partial void PoolStopping(ILogger logger, string pool, PoolShutdownMode mode, int pending);

    [LoggerMessage(32, LogLevel.Information, "Pool '{Pool}' stopped.")]
    public static partial void PoolStopped(ILogger logger, string pool);

    [LoggerMessage(33, LogLevel.Error, "Pool '{Pool}': an event loop failed unexpectedly.")]
    public static partial void LoopFailed(ILogger logger, string pool, Exception exception);

    [LoggerMessage(34, LogLevel.Warning, "Pool '{Pool}': worker {Worker} was not ready within the start timeout of {TimeoutMs} ms; terminating it.")]
    public static partial void WorkerStartTimedOut(ILogger logger, string pool, int worker, double timeoutMs);

    [LoggerMessage(35, LogLevel.Debug, "Pool '{Pool}': a start of worker {Worker} ended while the pool was stopping: {Reason}")]
    public static partial void StartAbandoned(ILogger logger, string pool, int worker, string reason);

    [LoggerMessage(36, LogLevel.Debug, "Pool '{Pool}': a progress report of job '{Job}' (id {JobId}) was dropped: {Reason}")]
    public static partial void ProgressDropped(ILogger logger, string pool, string job, long jobId, string reason);

    [LoggerMessage(37, LogLevel.Information, "Pool '{Pool}': {Count} pending jobs were canceled by CancelPendingJobs.")]
    public static partial void PendingJobsCanceled(ILogger logger, string pool, int count);
}
