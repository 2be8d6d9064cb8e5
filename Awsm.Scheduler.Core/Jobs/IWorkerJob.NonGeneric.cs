namespace Awsm.Scheduler;

/// <summary>
/// What every job has whatever its input and output: a name. Lets APIs that only need the job's identity (such as
/// <see cref="JobRegistry.AddProgress{TJob, TProgress}(Serialization.JobCodec{TProgress})"/>) take the job type alone.
/// Implement <see cref="IWorkerJob{TInput, TOutput}"/>, not this interface directly.
/// </summary>
public interface IWorkerJob
{
    /// <summary>Gets the job's name, unique within a <see cref="JobRegistry"/> and identical on both sides of the transport.</summary>
    static abstract string Name { get; }
}
