using Awsm.Scheduler.WebWorker;
using Microsoft.Extensions.DependencyInjection;

namespace Awsm.Scheduler.Tests.WebWorker;

public sealed class WebWorkerRegistrationTests
{
    [Fact]
    public void UseWebWorkerTransport_OutsideABrowser_RegistersWithoutPlatformGuardAndResolvingNamesThePlatform()
    {
        // The documented Blazor Program.cs calls this outside any platform guard: it only registers (no CA1416, a
        // shared Program.cs builds warning-free); the transport itself exists only in a browser.
        var services = new ServiceCollection();
        services.AddAwsmScheduler("web", o => o.WorkerCount = 2).UseWebWorkerTransport();
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<PlatformNotSupportedException>(() => provider.GetRequiredKeyedService<IWorkerPool>("web"));
        Assert.Contains("'web'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UseInProcTransport", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsWorker_OutsideABrowser_IsFalse()
    {
        Assert.False(WebWorkerHost.IsWorker);
        Assert.Equal(-1, WebWorkerHost.WorkerIndex);
    }
}
