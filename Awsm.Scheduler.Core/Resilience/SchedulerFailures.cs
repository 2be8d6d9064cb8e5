using Polly;
using Polly.Timeout;

namespace Awsm.Scheduler;

/// <summary>
/// Predicates that tell the scheduler's failures apart, for Polly strategies (<c>ShouldHandle</c>) and for hand-written
/// retry loops.
/// </summary>
/// <example>
/// <code>
/// var pipeline = new ResiliencePipelineBuilder()
///     .AddRetry(new RetryStrategyOptions { ShouldHandle = SchedulerFailures.TransientPredicate(), MaxRetryAttempts = 3 })
///     .Build();
/// </code>
/// </example>
public static class SchedulerFailures
{
    /// <summary>
    /// Returns whether retrying the same job may succeed: a <see cref="SchedulerException"/> whose
    /// <see cref="SchedulerException.IsTransient"/> is <see langword="true"/> (<see cref="WorkerCrashedException"/>,
    /// <see cref="JobTimeoutException"/>, <see cref="TransportException"/>), or a <see cref="TimeoutRejectedException"/>
    /// from a Polly timeout strategy placed inside the retry (a per-attempt timeout).
    /// </summary>
    /// <param name="exception">The failure; <see langword="null"/> is not transient.</param>
    /// <returns><see langword="true"/> for a transient failure. A job that threw (<see cref="JobFailedException"/>), an unknown
    /// job, a serialization failure, a full queue, a stopped pool and <see cref="OperationCanceledException"/> are not.</returns>
    public static bool IsTransient(Exception? exception) => exception switch
    {
        SchedulerException scheduler => scheduler.IsTransient,
        TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>
    /// Creates a Polly predicate that handles the transient failures of <see cref="IsTransient"/>. Assign it to the
    /// <c>ShouldHandle</c> of a retry, hedging or circuit-breaker strategy; each call returns a new builder that may be
    /// extended with further <c>Handle</c> clauses.
    /// </summary>
    /// <returns>A new predicate builder.</returns>
    public static PredicateBuilder TransientPredicate()
    {
        var builder = new PredicateBuilder();
        builder.HandleTransientSchedulerFailures();
        return builder;
    }
}
