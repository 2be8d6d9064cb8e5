using Awsm.Scheduler;

namespace Polly;

/// <summary>Adds the scheduler's failure predicates to Polly's <see cref="PredicateBuilder{TResult}"/>.</summary>
public static class SchedulerPredicateBuilderExtensions
{
    /// <summary>
    /// Handles the scheduler's transient failures (see <see cref="SchedulerFailures.IsTransient"/>): a crashed worker, a
    /// timed-out job, a transport fault, or a Polly per-attempt timeout. A job that threw is not handled.
    /// </summary>
    /// <typeparam name="TResult">The result type of the predicate.</typeparam>
    /// <param name="builder">The predicate builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static PredicateBuilder<TResult> HandleTransientSchedulerFailures<TResult>(this PredicateBuilder<TResult> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Handle<Exception>(SchedulerFailures.IsTransient);
    }
}
