using System.Runtime.CompilerServices;
using Awsm.Scheduler.Testing.Internal;
using Awsm.Scheduler.Testing.Internal.Scenarios;
using static Awsm.Scheduler.Testing.TransportCapabilities;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// The catalog of conformance scenarios: every semantic of the transport contract (ready, results, remote errors,
/// unknown jobs, codec failures both ways, cancellation, timeouts, crash isolation, respawn, eviction, quarantine,
/// hostile envelopes, what the pool hears from old incarnations, drain and abort, queue full, start failures and timeouts), each written once and run by any
/// runner.
/// </summary>
public static class ConformanceScenarios
{
    private static readonly ConformanceScenario[] Scenarios =
    [
        // Ready and results.
        New(DispatchScenarios.StartAsync_AllWorkersReady_ReportsThemAliveAndStartedOnce, None, "Every worker reports ready once; the pool starts with all of them alive."),
        New(DispatchScenarios.DispatchAsync_RegisteredJob_ReturnsOutput, None, "A registered job's output comes back to its caller."),
        New(DispatchScenarios.DispatchAsync_RecordThroughJsonContext_RoundTrips, None, "A record input and output travel through a source-generated JSON context."),
        New(DispatchScenarios.DispatchAsync_ByteArray_ArrivesIntact, None, "A 100 kB byte array arrives intact both ways, and the caller's buffer is untouched."),
        New(DispatchScenarios.DispatchAsync_ManyConcurrentJobs_AllCompleteAndPendingMapEmpties, None, "2,000 concurrent jobs all complete, in order of their inputs, and nothing stays pending or in flight."),
        New(DispatchScenarios.DispatchAsync_UnregisteredJob_FailsBeforeSending, None, "An unknown job fails fast with UnknownJobException before anything is sent."),
        New(DispatchScenarios.DispatchAsync_NullInput_ThrowsArgumentNullException, None, "A null input is refused at the boundary."),
        New(DispatchScenarios.DispatchAsync_AfterDispose_ThrowsSchedulerDisposedException, None, "A disposed pool refuses work with SchedulerDisposedException."),
        New(DispatchScenarios.DispatchAsync_BeforeStart_WaitsInQueueUntilWorkersAreReady, None, "A job dispatched before start starts the pool, waits in the queue while the worker starts, and runs once it is ready."),
        New(DispatchScenarios.DispatchAsync_RoundRobin_AlternatesWorkers, ManyWorkers, "Round-robin alternates between ready workers."),
        New(DispatchScenarios.DispatchAsync_LeastBusy_AvoidsTheBusyWorker, ManyWorkers, "Least-busy sends work to the idle worker while the other one is busy."),

        // Errors and codecs.
        New(FailureScenarios.DispatchAsync_JobThrows_FailsWithRemoteTypeMessageAndStack, None, "A job that throws fails its caller with the remote type, message and stack; the worker serves on."),
        New(FailureScenarios.DispatchAsync_UnserializableInput_FailsBeforeSendingNamingTypeAndDirection, EncodesPayloads, "An input the codec cannot encode fails before sending, naming the type and the input direction."),
        New(FailureScenarios.DispatchAsync_UnserializableOutput_FailsNamingTypeAndDirection, EncodesPayloads, "An output the worker cannot encode fails the job, naming the type and the output direction."),
        New(FailureScenarios.DispatchAsync_InputTheWorkerCannotDecode_FailsNamingTypeAndInputDirection, EncodesPayloads, "An input the worker cannot decode fails the job, naming the type and the input direction."),

        // Back-pressure.
        New(FailureScenarios.DispatchAsync_QueueFullInRejectMode_ThrowsQueueFullAndPoolStaysHealthy, None, "A full queue in reject mode throws QueueFullException with its capacity; queued jobs still run."),
        New(FailureScenarios.DispatchAsync_QueueFullInWaitMode_WaitsForRoom, None, "A full queue in wait mode holds the caller until there is room."),
        New(FailureScenarios.DispatchAsync_PerWorkerInFlightLimit_HoldsFurtherJobsBack, None, "A worker at its in-flight limit gets no further job until one ends."),

        // Cancellation and time.
        New(CancellationScenarios.DispatchAsync_CancelWhileQueued_JobIsNeverSent, None, "A job canceled while queued is never sent."),
        New(CancellationScenarios.DispatchAsync_CancelWhileRunning_WorkerTokenFiresAndCallerSeesCancellation, None, "Canceling a running job fires its worker-side token and releases the caller with its own token."),
        New(CancellationScenarios.DispatchAsync_CanceledJobThatIgnoresItsToken_LateResultIsDropped, None, "The late result of a canceled job that ignored its token is dropped."),
        New(CancellationScenarios.DispatchAsync_CanceledJobRunsPastGracePeriod_WorkerIsReplaced, FakeTime, "A worker that keeps running a canceled job past the grace period is terminated and replaced."),
        New(CancellationScenarios.DispatchAsync_JobExceedsTimeout_FailsWithJobTimeoutAndWorkerTokenFires, FakeTime, "A job past its timeout fails with JobTimeoutException and its worker-side token fires."),
        New(CancellationScenarios.DispatchAsync_JobWithinTimeout_Completes, FakeTime, "A job within its timeout completes, and its timer never fires afterwards."),
        New(CancellationScenarios.DispatchAsync_PausedWorker_JobWaitsUntilResumed, FakeTime, "A job to a paused worker waits (and may time out); the resumed worker serves again."),
        New(CancellationScenarios.DispatchAsync_HeldDelivery_TimeoutStillEndsTheJob, FakeTime, "A job whose envelope is held still ends by its timeout; its late delivery changes nothing."),

        // Crashes, respawn, eviction, quarantine.
        New(CrashScenarios.DispatchAsync_WorkerCrashesMidJob_OnlyThatWorkersJobsFail, ManyWorkers, "A crash fails only the crashed worker's jobs, with WorkerCrashedException; the other worker's job completes."),
        New(CrashScenarios.DispatchAsync_WorkerCrashedAndNotYetRespawned_IsOutOfRotation, ManyWorkers | FakeTime, "A crashed worker leaves rotation at once and stays out until respawned."),
        New(CrashScenarios.DispatchAsync_CrashOnNextJob_FailsThatJobAndRespawnAfterBackoffServesAgain, FakeTime, "A worker crashing on its next job fails that job, is respawned after the backoff (not a tick early) and serves again."),
        New(CrashScenarios.DispatchAsync_ConsecutiveCrashes_BackoffDoubles, FakeTime, "Consecutive crashes double the respawn backoff."),
        New(CrashScenarios.DispatchAsync_RepliesOfACrashedWorker_AreNeverDelivered, FakeTime, "A reply still in flight when its worker crashes is never delivered: the crash decides."),
        New(CrashScenarios.DispatchAsync_WorkerKeepsFailingToStart_IsEvictedAndDispatchFailsClearly, None, "A worker that keeps failing to start is evicted after its attempts; dispatch then fails with NoLiveWorkersException."),
        New(CrashScenarios.DispatchAsync_InputKeepsCrashingWorkers_IsQuarantined, FakeTime, "An input that crashed workers threshold times is refused at once with JobQuarantinedException; other inputs run."),

        // Hostile envelopes.
        New(EnvelopeScenarios.DispatchAsync_MalformedOrStaleEnvelopes_AreDroppedAndPoolStaysHealthy, None, "Unknown kinds, bad, negative, unknown and stale ids, and unknown workers are dropped; the pool stays healthy."),
        New(EnvelopeScenarios.DispatchAsync_DuplicateReplyForAJob_FirstWinsAndTheJobEndsOnce, None, "Of two replies for one job the first wins and the job ends once."),
        New(EnvelopeScenarios.DispatchAsync_ReplyFromAnotherWorker_IsDropped, ManyWorkers, "A reply from a worker that does not hold the job is dropped."),

        // One way back: what the pool hears.
        New(IncarnationScenarios.StartAsync_SecondOutcomeForOneStart_IsNotHeard, None, "A second ready, or an init error after ready, for one start is not heard; the worker serves on."),
        New(IncarnationScenarios.DispatchAsync_EventsOfAReplacedIncarnation_AreNotHeard, FakeTime, "A replaced incarnation's ready, crash and replies are not heard; the new incarnation's job ends with its own result."),
        New(IncarnationScenarios.DispatchAsync_ReplyWrittenBeforeACrash_IsKept, None, "A reply written before its worker's crash completes the job; the crash fails nothing that already ended."),

        // Per-call options.
        New(PlacementScenarios.DispatchAsync_HighPriorityQueuedBehindNormal_LeavesFirst, None, "A high-priority job queued behind normal ones leaves the queue first."),
        New(PlacementScenarios.DispatchAsync_PerCallTimeout_EndsTheJobAtItsOwnTime, FakeTime, "A dispatch's own timeout ends it at its time, and an infinite one outlives the pool's."),
        New(PlacementScenarios.DispatchAsync_KeyedJobs_SurvivorsKeepTheirKeysWhenAWorkerIsLost, ManyWorkers | FakeTime, "Consistent hashing keeps a key on one worker; when a worker is lost only its keys move."),
        New(PlacementScenarios.DispatchAsync_OneJobPerKey_SameKeyWaitsForTheJobBefore, ManyWorkers, "With one job per key, a key's second job waits for its first although a worker is idle, holding its place in the queue; other jobs pass."),

        // Bulk maps and cancel-all.
        New(BulkScenarios.MapAsync_OrderedWithBoundedFanOut_YieldsInInputOrder, None, "A bulk map keeps no more jobs in the pool than its window and hands results back in input order."),
        New(BulkScenarios.MapAsync_FirstFailure_CancelsTheRestAndLeavesNothingPending, None, "A bulk map's first failure cancels the rest of the batch and is thrown once nothing of it is pending."),
        New(BulkScenarios.CancelPendingJobs_QueuedAndRunning_EndAsCanceledAndThePoolServesOn, None, "Cancelling a pool's pending jobs ends queued and running ones as canceled, fires the running job's token, and the pool serves on."),

        // Lifecycle.
        New(LifecycleScenarios.StartAsync_WorkerNeverReady_FailsAfterTimeoutNamingTheWorker, FakeTime | ManyWorkers, "A worker that never reports ready fails the start after the start timeout, naming it, and leaves nothing alive."),
        New(LifecycleScenarios.StartAsync_HeldStartReleased_PoolStartsAndServes, None, "A start whose readiness is held completes once released, and the worker serves."),
        New(LifecycleScenarios.StartAsync_WorkerReportsInitError_FailsWithTheReason, None, "An init error fails the start with its reason, naming the worker; the pool is then stopped."),
        New(LifecycleScenarios.StopAsync_Drain_LetsInFlightJobsFinishAndRejectsNewOnes, None, "Draining lets in-flight jobs finish, refuses new ones, and leaves nothing alive."),
        New(LifecycleScenarios.StopAsync_Abort_FailsQueuedAndInFlightJobsAndCancelsWorkers, None, "Aborting fails queued and in-flight jobs and stops them on their workers (the token fired where a terminated worker's job runs on, the worker gone where it cannot), leaving nothing alive."),
        New(LifecycleScenarios.StopAsync_DrainWithTokenThatFires_AbortsWhatIsLeft, None, "A drain whose token fires aborts what is left."),
    ];

    private static readonly Dictionary<string, ConformanceScenario> ByName = Scenarios.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>Gets every scenario, in a stable order.</summary>
    public static IReadOnlyList<ConformanceScenario> All => Scenarios;

    /// <summary>Gets a scenario by name.</summary>
    /// <param name="name">The scenario's name.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="KeyNotFoundException">No scenario has that name.</exception>
    public static ConformanceScenario Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name, out ConformanceScenario? scenario)
            ? scenario
            : throw new KeyNotFoundException($"No conformance scenario is named '{name}'.");
    }

    /// <summary>A scenario named after its method (the part of <paramref name="body"/>'s expression after the class name).</summary>
    private static ConformanceScenario New(Func<ConformanceContext, Task> body, TransportCapabilities requires, string description, [CallerArgumentExpression(nameof(body))] string expression = "") =>
        new(expression[(expression.LastIndexOf('.') + 1)..], description, requires, body);
}
