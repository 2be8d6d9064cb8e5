using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>Log events of the WebWorker transport (event ids 100 to 119).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "Pool '{Pool}': WebWorker transport ready; workers import {DotnetUrl} (resource handover: {Handover}).")]
    public static partial void Initialized(ILogger logger, string pool, string dotnetUrl, bool handover);

    [LoggerMessage(101, LogLevel.Debug, "Pool '{Pool}': web worker {Worker} is ready: {Timings}")]
    public static partial void WorkerReady(ILogger logger, string pool, int worker, string timings);

    [LoggerMessage(102, LogLevel.Error, "Pool '{Pool}': web worker {Worker} could not be created: {Reason}")]
    public static partial void CreateFailed(ILogger logger, string pool, int worker, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Pool '{Pool}': its early start (WebWorkerTransportOptions.StartEarly) failed: {Reason}")]
    public static partial void EarlyStartFailed(ILogger logger, string pool, string reason);
}
