using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// What a dispatch must pass before the pool takes it as a job: the job is registered, its input encodes (when the
/// transport crosses a boundary), the caller's progress sink takes the job's progress type, and the input is not
/// quarantined. No state of its own; a refusal is the exception the caller's task ends with, before anything is
/// queued or sent.
/// </summary>
internal sealed class JobIntake(JobRegistry registry, bool encodePayloads, JobLedger ledger)
{
    /// <summary>Checks a dispatch and prepares what its pending job carries.</summary>
    /// <param name="input">The job's input, not null.</param>
    /// <param name="progress">The caller's <see cref="IProgress{T}"/>, or <see langword="null"/>.</param>
    /// <param name="descriptor">The job's descriptor, when accepted.</param>
    /// <param name="payload">The input as it travels, when accepted.</param>
    /// <param name="route">Where the job's progress goes, or <see langword="null"/>.</param>
    /// <returns><see langword="null"/> when accepted; otherwise why not.</returns>
    public Exception? Check<TJob, TInput, TOutput>(TInput input, object? progress, out JobDescriptor<TInput, TOutput> descriptor, out JobPayload payload, out ProgressRoute? route)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        route = null;
        try
        {
            descriptor = registry.Get<TJob, TInput, TOutput>();
            payload = descriptor.EncodeInput(input, encodePayloads);
        }
        catch (SchedulerException ex)
        {
            descriptor = null!;
            payload = default;
            return ex;
        }

        if (progress is not null)
        {
            if (descriptor.Progress is not { } codec || !codec.TryMatch(progress))
            {
                return new ArgumentException(
                    $"Job '{descriptor.Name}' reports {(descriptor.Progress is { } p ? $"progress of type '{p.ProgressType.FullName}'" : "no progress (declare it with JobRegistry.AddProgress)")}; the IProgress passed to dispatch does not take it.",
                    nameof(progress));
            }

            route = new ProgressRoute(codec, progress);
        }

        return ledger.Refusal(descriptor.Name, payload);
    }
}
