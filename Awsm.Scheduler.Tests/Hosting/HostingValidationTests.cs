using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>Bad configuration fails when the host starts, with a message that names what is wrong; never at first dispatch.</summary>
public sealed class HostingValidationTests
{
    public static TheoryData<string, Action<WorkerPoolOptions>> InvalidOptions => new()
    {
        { nameof(WorkerPoolOptions.WorkerCount), o => o.WorkerCount = 0 },
        { nameof(WorkerPoolOptions.QueueCapacity), o => o.QueueCapacity = -1 },
        { nameof(WorkerPoolOptions.MaxInFlightPerWorker), o => o.MaxInFlightPerWorker = 0 },
        { nameof(WorkerPoolOptions.JobTimeout), o => o.JobTimeout = TimeSpan.Zero },
        { nameof(WorkerPoolOptions.StartTimeout), o => o.StartTimeout = TimeSpan.Zero },
        { nameof(WorkerPoolOptions.MaxRespawnAttempts), o => o.MaxRespawnAttempts = -1 },
        { nameof(WorkerPoolOptions.RespawnMaxDelay), o => (o.RespawnInitialDelay, o.RespawnMaxDelay) = (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)) },
        { nameof(WorkerPoolOptions.Name), o => o.Name = "another-name" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task HostStart_InvalidOptionThroughBuilder_FailsNamingPoolAndOption(string option, Action<WorkerPoolOptions> configure)
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool("images").Configure(configure));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pool 'images'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{nameof(WorkerPoolOptions)}.{option}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_InvalidOptionThroughAddAwsmSchedulerOverload_Fails()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
            services.AddAwsmScheduler("images", o => o.WorkerCount = 0).UseInProcTransport());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("WorkerPoolOptions.WorkerCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_InvalidOptionThroughServicesConfigure_FailsAtStartNamingTheOption()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            services.AddTestPool("images");
            services.Configure<WorkerPoolOptions>("images", o => o.QueueCapacity = 0);
        });

        // Building the host did not throw; starting it does, before any pool exists.
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.StartAsync());

        Assert.Equal(nameof(WorkerPoolOptions.QueueCapacity), error.ParamName);
    }

    [Fact]
    public async Task HostStart_InvalidOption_NoWorkerIsStarted()
    {
        InProc.InProcTransport? created = null;
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool()
            .Configure(o => o.WorkerCount = 0)
            .UseTransport(_ => created = new InProc.InProcTransport()));

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Null(created);
    }

    [Fact]
    public void GetService_InvalidOptionWithoutHost_FailsWhenThePoolIsResolved()
    {
        using ServiceProvider services = new ServiceCollection().AddTestPoolServices(s => s.AddTestPool().Configure(o => o.WorkerCount = -3));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IWorkerPool>());

        Assert.Contains("WorkerPoolOptions.WorkerCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_NoTransport_FailsNamingThePool()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
            services.AddAwsmScheduler("reports").AddJob<WorkerIndexJob, int, int>(HostingJsonContext.Default));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pool 'reports' has no transport", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_TwoJobsWithOneName_FailsNamingBoth()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool()
            .ConfigureJobs(r => r.Add<ClashingJob, int, int>(HostingJsonContext.Default)));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(WorkerIndexJob.Name, error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ClashingJob), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_PipelineKeyWithoutAnyProvider_FailsNamingTheKey()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services => services.AddTestPool().UseResiliencePipeline("scheduler-retry"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'scheduler-retry'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResiliencePipelineProvider<string>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_PipelineKeyNotRegistered_FailsNamingTheKey()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            services.AddResiliencePipeline("other", b => b.AddTimeout(TimeSpan.FromSeconds(1)));
            services.AddTestPool().UseResiliencePipeline("scheduler-retry");
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("no resilience pipeline is registered under the key 'scheduler-retry'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_PipelineKeyRegistered_Starts()
    {
        using IHost host = HostingTestHost.Build(new FakeTimeProvider(), services =>
        {
            services.AddResiliencePipeline("scheduler-retry", b => b.AddTimeout(TimeSpan.FromSeconds(1)));
            services.AddTestPool().UseResiliencePipeline("scheduler-retry");
        });

        await host.StartAsync();

        Assert.Equal(2, host.Services.GetRequiredService<IWorkerPool>().GetStats().WorkersAlive);
        await host.StopAsync();
    }

    /// <summary>Claims the name of <see cref="WorkerIndexJob"/>.</summary>
    public sealed class ClashingJob : IWorkerJob<int, int>
    {
        public static string Name => WorkerIndexJob.Name;

        public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input);
    }
}
