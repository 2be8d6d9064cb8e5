using System.Globalization;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>Where the worker side sends its replies: the browser posts them to the page, tests record them.</summary>
internal interface IWorkerReplySink
{
    /// <summary>Sends a job's encoded output.</summary>
    void Result(string id, ReadOnlySpan<byte> payload);

    /// <summary>Sends a job's encoded output; the browser sink passes the id as a number.</summary>
    void Result(long id, ReadOnlySpan<byte> payload) => Result(id.ToString(CultureInfo.InvariantCulture), payload);

    /// <summary>Sends a running job's encoded progress value (the runtime already paces and coalesces them).</summary>
    void Progress(long id, ReadOnlySpan<byte> payload);

    /// <summary>Sends a job's error.</summary>
    void Error(string id, string errorKind, string errorType, string message, string? stack);

    /// <summary>Reports an envelope that could not be handled and has no job id to answer.</summary>
    void Problem(string description);
}
