using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Samples.WorkerHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// The dispatching side registered the way an app does it: <c>AddAwsmScheduler(...).UseRedisTransport(...)</c> in a
/// generic host, against the fixture's server and an in-process worker host.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRegistrationTests(RedisServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = Fleet.HangGuard;

    [Fact]
    public async Task UseRedisTransport_MultiplexerFromTheContainer_RunsJobsAndLeavesTheMultiplexerOpen()
    {
        await using var fleet = new Fleet(server, output: output);
        await fleet.StartHostAsync("h1");
        await using ConnectionMultiplexer shared = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IConnectionMultiplexer>(shared);
        builder.Services.AddAwsmScheduler("fleet")
            .Configure(o => o.WorkerCount = 1) // the one slot the host serves
            .ConfigureJobs(TestJobs.Register)
            .UseRedisTransport(o =>
            {
                o.KeyPrefix = fleet.Prefix;
                o.LeaseTime = fleet.Lease;
            });

        using (IHost app = builder.Build())
        {
            await app.StartAsync().WaitAsync(Guard);
            IWorkerPool pool = app.Services.GetRequiredKeyedService<IWorkerPool>("fleet");

            Assert.Equal("h1/0", await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Guard));
            Assert.Equal("h1", app.Services.GetRedisTransport("fleet").GetWorkerHost(0));
            await app.StopAsync().WaitAsync(Guard);
        }

        // The container stopped and disposed the pool and its transport; the multiplexer it was lent is still the app's.
        Assert.True(shared.IsConnected);
        Assert.True(await shared.GetDatabase().PingAsync().WaitAsync(Guard) >= TimeSpan.Zero);
    }

    [Fact]
    public void UseRedisTransport_NoConnectionConfiguredOrRegistered_ThrowsNamingThePool()
    {
        var services = new ServiceCollection();
        services.AddAwsmScheduler("orders").ConfigureJobs(TestJobs.Register).UseRedisTransport();
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IWorkerPool>("orders"));

        Assert.StartsWith("Pool 'orders': set RedisTransportOptions.Configuration or ConfigurationOptions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetRedisTransport_RedisWrappedInFaultInjection_ThrowsNamingTheOuterTransport()
    {
        // A test that wraps the Redis transport reaches it through GetFaultInjectingTransport(...).Inner instead.
        var services = new ServiceCollection();
        services.AddAwsmScheduler("local")
            .ConfigureJobs(TestJobs.Register)
            .UseFaultInjectingTransport(_ => new RedisTransport(new RedisTransportOptions { Configuration = server.Configuration }));
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRedisTransport("local"));

        Assert.Equal("Pool 'local' runs on FaultInjectingTransport, not on RedisTransport.", error.Message);
    }
}
