using Awsm.Scheduler.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Awsm.Scheduler.Samples.WorkerHost;

/// <summary>
/// Small jobs for the fleet's end-to-end tests and soak (pool <see cref="PoolName"/>): shared by this host and by the
/// tests that dispatch to it, so both sides register the same set.
/// </summary>
public static class FleetJobs
{
    /// <summary>The pool name the fleet jobs are served under.</summary>
    public const string PoolName = "fleet";

    /// <summary>Adds the fleet jobs to a registry.</summary>
    /// <param name="registry">The registry.</param>
    public static void Register(JobRegistry registry) => registry
        .Add<WhereJob, int, string>(FleetJsonContext.Default)
        .Add<SpinJob, int, string>(FleetJsonContext.Default)
        .Add<EchoBytesJob, byte[], byte[]>(FleetJsonContext.Default);
}

/// <summary>Returns <c>host/worker</c>: where it ran.</summary>
public sealed class WhereJob : IWorkerJob<int, string>
{
    public static string Name => "fleet.where";

    public static ValueTask<string> ExecuteAsync(int input, JobContext context) =>
        ValueTask.FromResult($"{FleetHostName.Of(context)}/{context.WorkerIndex}");
}

/// <summary>Waits the given number of milliseconds (honouring cancellation), then returns where it ran.</summary>
public sealed class SpinJob : IWorkerJob<int, string>
{
    public static string Name => "fleet.spin";

    public static async ValueTask<string> ExecuteAsync(int input, JobContext context)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(input, 0, 60_000)), context.CancellationToken);
        return $"{FleetHostName.Of(context)}/{context.WorkerIndex}";
    }
}

/// <summary>Returns its input bytes unchanged (raw bytes both ways).</summary>
public sealed class EchoBytesJob : IWorkerJob<byte[], byte[]>
{
    public static string Name => "fleet.echo";

    public static ValueTask<byte[]> ExecuteAsync(byte[] input, JobContext context) => ValueTask.FromResult(input);
}

/// <summary>The name of the worker host a job runs on, from the host's own options.</summary>
public static class FleetHostName
{
    /// <summary>Gets the host's name.</summary>
    /// <param name="context">The job's context.</param>
    /// <returns>The name the host reports to dispatchers.</returns>
    public static string Of(JobContext context) =>
        context.Services?.GetService<IOptions<RedisWorkerHostOptions>>()?.Value.HostName ?? "unknown";
}
