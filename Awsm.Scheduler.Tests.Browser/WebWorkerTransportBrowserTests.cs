using System.Text.Json;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>
/// What only a real browser shows about the WebWorker transport, through the sample's <c>window.awsm.e2e</c> hooks: real
/// top-level crashes and spinning workers, malformed messages a worker really posts, worker-side unknown jobs, 32 MiB
/// transfers and start failures. The transport contract itself runs as the conformance catalog (<see cref="WebWorkerConformanceTests"/>).
/// </summary>
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
    public Task DispatchAsync_MandelbrotTile_MatchesTheTileComputedOnThePage() => Scenario("tile");

    [Fact]
    public Task DispatchAsync_JobUnknownToTheWorker_FailsWithUnknownJobAndWorkerStaysHealthy() => Scenario("unknownJob");

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
