using System.Text.Json;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>The transport contract, proven in headless Chromium through the sample's <c>window.awsm.e2e</c> scenarios.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebWorkerTransportBrowserTests : IDisposable
{
    private readonly BrowserFixture _fx;

    public WebWorkerTransportBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
    {
        _fx = fixture;
        _fx.Output = output; // page and worker console lines go to this test's output
    }

    public void Dispose() => _fx.Output = null;

    [Fact]
    public Task DispatchAsync_RegisteredJobs_ReturnResultsFromWorkers() => Scenario("results");

    [Fact]
    public Task DispatchAsync_JobThrows_FailsWithRemoteTypeAndMessage() => Scenario("jobFailure");

    [Fact]
    public Task DispatchAsync_JobUnknownToTheWorker_FailsWithUnknownJobAndWorkerStaysHealthy() => Scenario("unknownJob");

    [Fact]
    public Task DispatchAsync_CallerCancels_WorkerTokenFiresAndCallerSeesCancellation() => Scenario("cancellation");

    [Fact]
    public Task DispatchAsync_JobExceedsTimeout_FailsWithJobTimeoutAndWorkerTokenFires() => Scenario("timeout");

    [Fact]
    public Task DispatchAsync_RoundRobin_VisitsWorkersInTurn() => Scenario("roundRobin");

    [Fact]
    public Task DispatchAsync_LeastBusy_AvoidsTheBusyWorker() => Scenario("leastBusy");

    [Fact]
    public Task DispatchAsync_WorkerThrowsAtTopLevel_OnlyItsJobsFailAndPoolRecovers() => Scenario("crash");

    [Fact]
    public Task DispatchAsync_JobIgnoresCancellationPastGrace_WorkerIsTerminatedAndReplaced() => Scenario("terminateUnresponsive");

    [Fact]
    public async Task DispatchAsync_32MiBByteArray_RoundTripsIntactAndIsTransferred()
    {
        JsonElement r = await Scenario("roundTrip32MiB");
        Assert.DoesNotContain(_fx.ConsoleLines, l => l.Contains("copied, not transferred", StringComparison.Ordinal));
    }

    [Fact]
    public Task DispatchAsync_WorkerPostsMalformedEnvelopes_TheyAreDroppedAndPoolStaysHealthy() => Scenario("malformed");

    [Fact]
    public async Task StartAsync_DotnetJsIs404_FailsFastNamingUrlAndStatus()
    {
        JsonElement r = await Scenario("startFailure('/nope/_framework/dotnet.js')");
        string reason = r.GetProperty("reason").GetString()!;
        Assert.Contains("404", reason, StringComparison.Ordinal);
        Assert.Contains("/nope/_framework/dotnet.js", reason, StringComparison.Ordinal);
        Assert.True(r.GetProperty("ms").GetDouble() < 5_000, r.ToString());
    }

    [Fact]
    public async Task StartAsync_DotnetJsIsNotJavaScript_FailsFastNamingTheMimeType()
    {
        JsonElement r = await Scenario("startFailure('/app.css')");
        Assert.Contains("MIME", r.GetProperty("reason").GetString()!, StringComparison.Ordinal);
        Assert.True(r.GetProperty("ms").GetDouble() < 5_000, r.ToString());
    }

    [Fact]
    public async Task StartAsync_WorkerFactoryIsMissing_FailsNamingIt()
    {
        JsonElement r = await Scenario("startFailure(null, 'noSuchFactory')");
        Assert.Contains("noSuchFactory", r.GetProperty("reason").GetString()!, StringComparison.Ordinal);
    }

    private async Task<JsonElement> Scenario(string call)
    {
        string expression = call.Contains('(', StringComparison.Ordinal) ? $"() => window.awsm.e2e.{call}" : $"() => window.awsm.e2e.{call}()";
        JsonElement r = await _fx.CallAsync(expression, 90);
        _fx.Log($"{call}: {r}");
        Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
        return r;
    }
}
