using Awsm.Scheduler.InProc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>Builds hosts the way an app does, with a fake clock, fake logging and the metrics services.</summary>
internal static class HostingTestHost
{
    /// <summary>A real-time bound for awaiting something the test has already made happen; never a synchronisation.</summary>
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    public static IHost Build(FakeTimeProvider time, Action<IServiceCollection> configure)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Logging.AddFakeLogging().SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddMetrics();
        configure(builder.Services);
        return builder.Build();
    }

    /// <summary>The default pool on InProc (wrapped in the fault-injecting transport) with two workers and the hosting test jobs.</summary>
    public static IAwsmSchedulerBuilder AddTestPool(this IServiceCollection services, string name = WorkerPoolDefaults.Name, int workers = 2) =>
        services.AddAwsmScheduler(name)
            .Configure(o => o.WorkerCount = workers)
            .AddJob<WorkerIndexJob, int, int>(HostingJsonContext.Default)
            .AddJob<FailingJob, string, int>(HostingJsonContext.Default)
            .AddJob<GreetingJob, string, string>(HostingJsonContext.Default)
            .AddJob<TraceJob, int, string>(HostingJsonContext.Default)
            .AddJob<GatedJob, string, int>(HostingJsonContext.Default)
            .UseFaultInjectingTransport(_ => new InProcTransport());

    public static async Task<T> Within<T>(this Task<T> task) => await task.WaitAsync(Safety);

    public static async Task Within(this Task task) => await task.WaitAsync(Safety);
}
