using System.Text.Json;
using Awsm.Scheduler.Testing;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>
/// The conformance catalog (<see cref="ConformanceScenarios"/>, the same scenarios InProc runs) over the WebWorker
/// transport in headless Chromium: one theory case per scenario, each run on the sample page by
/// <c>window.awsm.conformance.run</c> over real Web Workers. A case passes only when the page says Passed; it skips only
/// when the page's driver lacks a capability the scenario requires, with the page's reason; anything else fails.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WebWorkerConformanceTests : IDisposable
{
    // Above the scenario's own hang guard (30 s per wait): a scenario that cannot end fails on the page first.
    private const int ScenarioTimeoutSeconds = 120;

    private readonly BrowserFixture _fx;

    public WebWorkerConformanceTests(BrowserFixture fixture, ITestOutputHelper output)
    {
        _fx = fixture;
        _fx.Output = output;
    }

    /// <summary>Gets every scenario name of the catalog, as compiled into this test assembly.</summary>
    public static TheoryData<string> Scenarios => [.. ConformanceScenarios.All.Select(s => s.Name)];

    public void Dispose() => _fx.Output = null;

    [Fact]
    public async Task Catalog_PageAndTests_ListTheSameScenarios()
    {
        JsonElement names = await _fx.CallAsync("() => window.awsm.conformance.names()");

        Assert.Equal(ConformanceScenarios.All.Select(s => s.Name), names.EnumerateArray().Select(n => n.GetString()));
    }

    [SkippableTheory]
    [MemberData(nameof(Scenarios))]
    public async Task RunScenario_WebWorkerTransportInChromium_PassesOrSkipsForAMissingCapability(string scenario)
    {
        JsonElement r = await _fx.CallAsync($"() => window.awsm.conformance.run({JsonSerializer.Serialize(scenario)})", ScenarioTimeoutSeconds);
        string outcome = r.GetProperty("outcome").GetString()!;
        string? message = r.GetProperty("message").GetString();
        _fx.Log($"{scenario}: {outcome} in {r.GetProperty("elapsedMs").GetDouble():0} ms on {r.GetProperty("driver").GetString()} [{r.GetProperty("capabilities").GetString()}]{(message is null ? string.Empty : "\n" + message)}");

        string?[] unobserved = [.. r.GetProperty("unobserved").EnumerateArray().Select(e => e.GetString())];
        foreach (string? text in unobserved)
        {
            _fx.Log($"unobserved task exception (reported by the collection after {scenario}; it may come from an earlier run):\n{text}");
        }

        Assert.Equal(scenario, r.GetProperty("scenario").GetString());
        Assert.Equal(0, r.GetProperty("liveWorkers").GetInt32());
        Assert.Empty(unobserved);
        if (outcome == nameof(ConformanceOutcome.Skipped))
        {
            // Only a capability skip: the scenario requires something the page's driver did not declare.
            TransportCapabilities declared = Enum.Parse<TransportCapabilities>(r.GetProperty("capabilities").GetString()!);
            TransportCapabilities missing = ConformanceScenarios.Get(scenario).Requires & ~declared;
            Assert.True(missing != TransportCapabilities.None, $"skipped without a missing capability: {message}");
            Assert.False(string.IsNullOrWhiteSpace(message), "a skip must carry its reason");
            Skip.If(true, message);
        }

        Assert.True(outcome == nameof(ConformanceOutcome.Passed), $"{scenario}: {outcome}\n{message}");
    }
}
