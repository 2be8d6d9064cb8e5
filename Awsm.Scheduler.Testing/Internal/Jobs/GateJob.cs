namespace Awsm.Scheduler.Testing.Internal.Jobs;

/// <summary>
/// Waits on a gate of the <see cref="GateBoard"/>: reports that it started, waits to be released (honouring its
/// cancellation token unless the input says to ignore it), and reports that its token fired. Returns "key@worker".
/// </summary>
internal sealed class GateJob : IWorkerJob<GateInput, string>
{
    public static string Name => "conformance.gate";

    public static async ValueTask<string> ExecuteAsync(GateInput input, JobContext context)
    {
        GateBoard gates = ConformanceJobs.Gates;
        string key = input.Key;
        using CancellationTokenRegistration registration = context.CancellationToken.Register(() => gates.ReportTokenFired(key));
        gates.ReportStarted(key, context.WorkerIndex);
        if (input.IgnoreCancellation)
        {
            await gates.WhenReleased(key).ConfigureAwait(false);
        }
        else
        {
            try
            {
                await gates.WhenReleased(key).WaitAsync(context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // The wait's own registration may resume this job inline, leaving the scope (and disposing the
                // registration above) before that registration's callback ran: report here too.
                gates.ReportTokenFired(key);
                throw;
            }
        }

        return input.FailOnRelease ? throw new InvalidOperationException($"Gate {key} failed as asked.") : $"{key}@{context.WorkerIndex}";
    }
}

/// <summary>The gated job's input.</summary>
/// <param name="Key">The gate's key.</param>
/// <param name="IgnoreCancellation">Whether the job keeps waiting when its token fires.</param>
/// <param name="FailOnRelease">Whether the job throws when released instead of returning.</param>
internal sealed record GateInput(string Key, bool IgnoreCancellation, bool FailOnRelease = false);
