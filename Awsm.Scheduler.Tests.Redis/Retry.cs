namespace Awsm.Scheduler.Tests.Redis;

/// <summary>The caller's retry policy the transport relies on: transient failures are re-dispatched (a new job id).</summary>
public static class Retry
{
    public static async Task<T> TransientAsync<T>(Func<ValueTask<T>> dispatch, Action onAttempt, int maxAttempts = 30)
    {
        for (int attempt = 1; ; attempt++)
        {
            onAttempt();
            try
            {
                return await dispatch();
            }
            catch (SchedulerException ex) when (ex.IsTransient && attempt < maxAttempts)
            {
                // Retried at once: the pool itself queues the job until a worker is back.
            }
        }
    }
}
