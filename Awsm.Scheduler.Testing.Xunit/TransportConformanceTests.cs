using System.Reflection;
using Xunit;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// The conformance suite as xunit tests: one fact per scenario of <see cref="ConformanceScenarios"/>, named after it. A
/// transport author derives a sealed class per transport and mode and overrides <see cref="CreateDriver"/>; scenarios
/// the driver's capabilities cannot drive show as skipped, with the reason.
/// </summary>
/// <remarks>
/// The facts are thin: every check lives in the scenario catalog of Awsm.Scheduler.Testing, which has no test framework
/// dependency (a failed check throws <see cref="ConformanceException"/>), so other runners run the same checks through
/// <see cref="ConformanceRunner"/>. This class only binds them to xunit: one fact per scenario, and a skip, with the
/// reason, where the driver lacks a capability.
/// </remarks>
public abstract class TransportConformanceTests
{
    /// <summary>Creates the driver of the transport under test (called once per fact).</summary>
    /// <returns>The driver.</returns>
    protected abstract TransportDriver CreateDriver();

    /// <summary>Proves the suite is complete: every scenario of the catalog has a fact here, and every fact a scenario.</summary>
    [Fact]
    public void Catalog_EveryScenario_HasAFact()
    {
        string[] facts = typeof(TransportConformanceTests)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetCustomAttribute<SkippableFactAttribute>() is not null)
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(ConformanceScenarios.All.Select(s => s.Name).Order(StringComparer.Ordinal), facts);
    }

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StartAsync_AllWorkersReady_ReportsThemAliveAndStartedOnce() => RunScenarioAsync(nameof(StartAsync_AllWorkersReady_ReportsThemAliveAndStartedOnce));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_RegisteredJob_ReturnsOutput() => RunScenarioAsync(nameof(DispatchAsync_RegisteredJob_ReturnsOutput));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_RecordThroughJsonContext_RoundTrips() => RunScenarioAsync(nameof(DispatchAsync_RecordThroughJsonContext_RoundTrips));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_ByteArray_ArrivesIntact() => RunScenarioAsync(nameof(DispatchAsync_ByteArray_ArrivesIntact));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_ManyConcurrentJobs_AllCompleteAndPendingMapEmpties() => RunScenarioAsync(nameof(DispatchAsync_ManyConcurrentJobs_AllCompleteAndPendingMapEmpties));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_UnregisteredJob_FailsBeforeSending() => RunScenarioAsync(nameof(DispatchAsync_UnregisteredJob_FailsBeforeSending));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_NullInput_ThrowsArgumentNullException() => RunScenarioAsync(nameof(DispatchAsync_NullInput_ThrowsArgumentNullException));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_AfterDispose_ThrowsSchedulerDisposedException() => RunScenarioAsync(nameof(DispatchAsync_AfterDispose_ThrowsSchedulerDisposedException));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_BeforeStart_WaitsInQueueUntilWorkersAreReady() => RunScenarioAsync(nameof(DispatchAsync_BeforeStart_WaitsInQueueUntilWorkersAreReady));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_RoundRobin_AlternatesWorkers() => RunScenarioAsync(nameof(DispatchAsync_RoundRobin_AlternatesWorkers));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_LeastBusy_AvoidsTheBusyWorker() => RunScenarioAsync(nameof(DispatchAsync_LeastBusy_AvoidsTheBusyWorker));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_JobThrows_FailsWithRemoteTypeMessageAndStack() => RunScenarioAsync(nameof(DispatchAsync_JobThrows_FailsWithRemoteTypeMessageAndStack));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_UnserializableInput_FailsBeforeSendingNamingTypeAndDirection() => RunScenarioAsync(nameof(DispatchAsync_UnserializableInput_FailsBeforeSendingNamingTypeAndDirection));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_UnserializableOutput_FailsNamingTypeAndDirection() => RunScenarioAsync(nameof(DispatchAsync_UnserializableOutput_FailsNamingTypeAndDirection));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_InputTheWorkerCannotDecode_FailsNamingTypeAndInputDirection() => RunScenarioAsync(nameof(DispatchAsync_InputTheWorkerCannotDecode_FailsNamingTypeAndInputDirection));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_QueueFullInRejectMode_ThrowsQueueFullAndPoolStaysHealthy() => RunScenarioAsync(nameof(DispatchAsync_QueueFullInRejectMode_ThrowsQueueFullAndPoolStaysHealthy));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_QueueFullInWaitMode_WaitsForRoom() => RunScenarioAsync(nameof(DispatchAsync_QueueFullInWaitMode_WaitsForRoom));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_PerWorkerInFlightLimit_HoldsFurtherJobsBack() => RunScenarioAsync(nameof(DispatchAsync_PerWorkerInFlightLimit_HoldsFurtherJobsBack));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_CancelWhileQueued_JobIsNeverSent() => RunScenarioAsync(nameof(DispatchAsync_CancelWhileQueued_JobIsNeverSent));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_CancelWhileRunning_WorkerTokenFiresAndCallerSeesCancellation() => RunScenarioAsync(nameof(DispatchAsync_CancelWhileRunning_WorkerTokenFiresAndCallerSeesCancellation));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_CanceledJobThatIgnoresItsToken_LateResultIsDropped() => RunScenarioAsync(nameof(DispatchAsync_CanceledJobThatIgnoresItsToken_LateResultIsDropped));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_CanceledJobRunsPastGracePeriod_WorkerIsReplaced() => RunScenarioAsync(nameof(DispatchAsync_CanceledJobRunsPastGracePeriod_WorkerIsReplaced));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_JobExceedsTimeout_FailsWithJobTimeoutAndWorkerTokenFires() => RunScenarioAsync(nameof(DispatchAsync_JobExceedsTimeout_FailsWithJobTimeoutAndWorkerTokenFires));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_JobWithinTimeout_Completes() => RunScenarioAsync(nameof(DispatchAsync_JobWithinTimeout_Completes));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_PausedWorker_JobWaitsUntilResumed() => RunScenarioAsync(nameof(DispatchAsync_PausedWorker_JobWaitsUntilResumed));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_HeldDelivery_TimeoutStillEndsTheJob() => RunScenarioAsync(nameof(DispatchAsync_HeldDelivery_TimeoutStillEndsTheJob));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_WorkerCrashesMidJob_OnlyThatWorkersJobsFail() => RunScenarioAsync(nameof(DispatchAsync_WorkerCrashesMidJob_OnlyThatWorkersJobsFail));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_WorkerCrashedAndNotYetRespawned_IsOutOfRotation() => RunScenarioAsync(nameof(DispatchAsync_WorkerCrashedAndNotYetRespawned_IsOutOfRotation));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_CrashOnNextJob_FailsThatJobAndRespawnAfterBackoffServesAgain() => RunScenarioAsync(nameof(DispatchAsync_CrashOnNextJob_FailsThatJobAndRespawnAfterBackoffServesAgain));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_ConsecutiveCrashes_BackoffDoubles() => RunScenarioAsync(nameof(DispatchAsync_ConsecutiveCrashes_BackoffDoubles));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_RepliesOfACrashedWorker_AreNeverDelivered() => RunScenarioAsync(nameof(DispatchAsync_RepliesOfACrashedWorker_AreNeverDelivered));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_WorkerKeepsFailingToStart_IsEvictedAndDispatchFailsClearly() => RunScenarioAsync(nameof(DispatchAsync_WorkerKeepsFailingToStart_IsEvictedAndDispatchFailsClearly));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_InputKeepsCrashingWorkers_IsQuarantined() => RunScenarioAsync(nameof(DispatchAsync_InputKeepsCrashingWorkers_IsQuarantined));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StartAsync_SecondOutcomeForOneStart_IsNotHeard() => RunScenarioAsync(nameof(StartAsync_SecondOutcomeForOneStart_IsNotHeard));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_EventsOfAReplacedIncarnation_AreNotHeard() => RunScenarioAsync(nameof(DispatchAsync_EventsOfAReplacedIncarnation_AreNotHeard));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_ReplyWrittenBeforeACrash_IsKept() => RunScenarioAsync(nameof(DispatchAsync_ReplyWrittenBeforeACrash_IsKept));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_MalformedOrStaleEnvelopes_AreDroppedAndPoolStaysHealthy() => RunScenarioAsync(nameof(DispatchAsync_MalformedOrStaleEnvelopes_AreDroppedAndPoolStaysHealthy));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_DuplicateReplyForAJob_FirstWinsAndTheJobEndsOnce() => RunScenarioAsync(nameof(DispatchAsync_DuplicateReplyForAJob_FirstWinsAndTheJobEndsOnce));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_ReplyFromAnotherWorker_IsDropped() => RunScenarioAsync(nameof(DispatchAsync_ReplyFromAnotherWorker_IsDropped));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StartAsync_WorkerNeverReady_FailsAfterTimeoutNamingTheWorker() => RunScenarioAsync(nameof(StartAsync_WorkerNeverReady_FailsAfterTimeoutNamingTheWorker));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StartAsync_HeldStartReleased_PoolStartsAndServes() => RunScenarioAsync(nameof(StartAsync_HeldStartReleased_PoolStartsAndServes));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StartAsync_WorkerReportsInitError_FailsWithTheReason() => RunScenarioAsync(nameof(StartAsync_WorkerReportsInitError_FailsWithTheReason));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StopAsync_Drain_LetsInFlightJobsFinishAndRejectsNewOnes() => RunScenarioAsync(nameof(StopAsync_Drain_LetsInFlightJobsFinishAndRejectsNewOnes));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StopAsync_Abort_FailsQueuedAndInFlightJobsAndCancelsWorkers() => RunScenarioAsync(nameof(StopAsync_Abort_FailsQueuedAndInFlightJobsAndCancelsWorkers));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task StopAsync_DrainWithTokenThatFires_AbortsWhatIsLeft() => RunScenarioAsync(nameof(StopAsync_DrainWithTokenThatFires_AbortsWhatIsLeft));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_HighPriorityQueuedBehindNormal_LeavesFirst() => RunScenarioAsync(nameof(DispatchAsync_HighPriorityQueuedBehindNormal_LeavesFirst));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_PerCallTimeout_EndsTheJobAtItsOwnTime() => RunScenarioAsync(nameof(DispatchAsync_PerCallTimeout_EndsTheJobAtItsOwnTime));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_KeyedJobs_SurvivorsKeepTheirKeysWhenAWorkerIsLost() => RunScenarioAsync(nameof(DispatchAsync_KeyedJobs_SurvivorsKeepTheirKeysWhenAWorkerIsLost));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task DispatchAsync_OneJobPerKey_SameKeyWaitsForTheJobBefore() => RunScenarioAsync(nameof(DispatchAsync_OneJobPerKey_SameKeyWaitsForTheJobBefore));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task MapAsync_OrderedWithBoundedFanOut_YieldsInInputOrder() => RunScenarioAsync(nameof(MapAsync_OrderedWithBoundedFanOut_YieldsInInputOrder));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task MapAsync_FirstFailure_CancelsTheRestAndLeavesNothingPending() => RunScenarioAsync(nameof(MapAsync_FirstFailure_CancelsTheRestAndLeavesNothingPending));

    /// <summary>Runs the scenario of the same name.</summary>
    /// <returns>A task that completes when it passed.</returns>
    [SkippableFact]
    public Task CancelPendingJobs_QueuedAndRunning_EndAsCanceledAndThePoolServesOn() => RunScenarioAsync(nameof(CancelPendingJobs_QueuedAndRunning_EndAsCanceledAndThePoolServesOn));

    /// <summary>Runs a scenario of the catalog against this class's driver, or skips it with the reason its capabilities give.</summary>
    /// <param name="scenarioName">The scenario's name.</param>
    /// <returns>A task that completes when it passed.</returns>
    protected async Task RunScenarioAsync(string scenarioName)
    {
        ConformanceScenario scenario = ConformanceScenarios.Get(scenarioName);
        TransportDriver driver = CreateDriver();
        string? reason = scenario.SkipReason(driver);
        Skip.If(reason is not null, reason);
        await scenario.RunAsync(driver).ConfigureAwait(false);
    }
}
