using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// Translates what the page module reports about a worker into a <see cref="WorkerEvent"/>, free of browser APIs so it
/// runs in Linux unit tests. It keeps no state: which incarnation is heard, and whether a start already had its outcome,
/// is the pool's writer's business (the page module tags every event with the incarnation it started the worker for).
/// Anything unparseable becomes <see cref="WorkerEventKind.Malformed"/>.
/// </summary>
internal static class PageEvents
{
    /// <summary>The page module's kind for something it could not even read as an envelope.</summary>
    public const string MalformedKind = "#malformed";

    /// <summary>The page module's kind for a worker that died (after it was ready, or a message it could not deserialize).</summary>
    public const string CrashKind = "crash";

    /// <summary>Translates one event of the page module.</summary>
    public static WorkerEvent Translate(
        int index,
        string? kind,
        string? id,
        ReadOnlyMemory<byte> payload,
        string? errorKind,
        string? errorType,
        string? message,
        string? stack) => kind switch
        {
            WireProtocol.ReadyKind => WorkerEvent.Ready(index),
            WireProtocol.InitErrorKind => WorkerEvent.InitError(index, Describe(message, stack)),
            CrashKind => WorkerEvent.Crashed(index, Describe(message, stack)),
            MalformedKind => WorkerEvent.Malformed(index, message ?? "an unreadable message"),
            WireProtocol.ProgressKind when JobId.TryParse(id, out JobId progressId) => WorkerEvent.Progress(index, progressId, JobPayload.FromBytes(payload)),
            WireProtocol.ProgressKind => WorkerEvent.Malformed(index, $"progress envelope with a missing or malformed job id '{id}'"),
            _ => WireProtocol.ParseEvent(index, kind, id, payload, errorKind, errorType, message, stack),
        };

    private static string Describe(string? message, string? stack) =>
        string.IsNullOrEmpty(stack) ? message ?? "(no reason given)" : $"{message ?? "(no reason given)"}\n{stack}";
}
