namespace Awsm.Scheduler.Testing.Internal;

/// <summary>
/// What a <see cref="FaultInjectingTransport"/> knows and has been told about one worker index. Every field is read and
/// written under the decorator's lock.
/// </summary>
internal sealed class FaultSlot
{
    /// <summary>Gets or sets the incarnation the pool started last (its number, as passed to <c>StartWorkerAsync</c>): held traffic of another one is dropped.</summary>
    public int Incarnation { get; set; }

    /// <summary>Gets or sets a value indicating whether the current incarnation is running, as far as the decorator knows (no fault of its own, no terminate, no reported death ended it).</summary>
    public bool Alive { get; set; }

    /// <summary>Gets or sets how many times the pool started this worker (failed and held starts included).</summary>
    public int Starts { get; set; }

    /// <summary>Gets or sets a value indicating whether everything sent to the worker is held.</summary>
    public bool Paused { get; set; }

    /// <summary>Gets or sets a value indicating whether job envelopes to this worker are held.</summary>
    public bool HoldingJobs { get; set; }

    /// <summary>Gets or sets a value indicating whether results and errors from this worker are held.</summary>
    public bool HoldingReplies { get; set; }

    /// <summary>Gets or sets the id of the last job envelope the pool sent to this worker (held or passed on).</summary>
    public JobId? LastJobSent { get; set; }

    /// <summary>Gets or sets a value indicating whether the next job envelope crashes the worker instead of reaching it.</summary>
    public bool CrashOnNextJob { get; set; }

    /// <summary>Gets or sets how many of the next starts report an init error.</summary>
    public int FailStarts { get; set; }

    /// <summary>Gets or sets the init-error reason of the failed starts.</summary>
    public string FailStartReason { get; set; } = string.Empty;

    /// <summary>Gets or sets a value indicating whether readiness of starts is held until released.</summary>
    public bool HoldingStarts { get; set; }

    /// <summary>Gets or sets the incarnation whose ready event is held, or -1.</summary>
    public int HeldReadyIncarnation { get; set; } = -1;

    /// <summary>Gets or sets what <see cref="FaultInjectingTransport.WhenReadyHeldAsync"/> waits on until a ready is held, or <see langword="null"/>.</summary>
    public TaskCompletionSource? ReadyHeld { get; set; }

    /// <summary>Gets or sets the inner transport's termination of a crashed incarnation, awaited before the next start.</summary>
    public Task? Terminating { get; set; }
}
