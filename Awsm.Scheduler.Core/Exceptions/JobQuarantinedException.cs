namespace Awsm.Scheduler;

/// <summary>
/// The job's input is quarantined: dispatches of the same job with the same input crashed their worker
/// <see cref="WorkerPoolOptions.PoisonJobThreshold"/> times in a row, so the pool refuses it rather than lose another
/// worker. Nothing was sent. Not transient: retrying the same input fails the same way.
/// </summary>
public sealed class JobQuarantinedException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="jobName">The job whose input is quarantined.</param>
    /// <param name="crashes">How many consecutive worker crashes put the input in quarantine.</param>
    public JobQuarantinedException(string jobName, int crashes)
        : base($"Job '{jobName}' was refused: this input crashed its worker {crashes} time(s) in a row and is quarantined as a poison job.")
    {
        JobName = jobName;
        Crashes = crashes;
    }

    /// <summary>Gets the job whose input is quarantined.</summary>
    public string JobName { get; }

    /// <summary>Gets how many consecutive worker crashes put the input in quarantine.</summary>
    public int Crashes { get; }
}
