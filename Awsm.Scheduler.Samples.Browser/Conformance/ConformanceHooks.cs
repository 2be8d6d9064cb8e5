using System.Collections.Concurrent;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Awsm.Scheduler.Testing;

namespace Awsm.Scheduler.Samples.Browser.Conformance;

/// <summary>
/// Runs the conformance catalog (<see cref="ConformanceScenarios"/>) over the WebWorker transport on this page, one
/// scenario per call, for <c>window.awsm.conformance</c> (Awsm.Scheduler.Tests.Browser drives it). Each run makes a new
/// <see cref="WebWorkerTransportDriver"/>; the scenario makes and aborts its own pools.
/// </summary>
[SupportedOSPlatform("browser")]
public static partial class ConformanceHooks
{
    private static readonly ConcurrentQueue<string> Unobserved = new();

    static ConformanceHooks()
    {
        TaskScheduler.UnobservedTaskException += (_, e) => Unobserved.Enqueue(e.Exception.ToString());
    }

    /// <summary>Gets the names of the page's catalog, in order, as a JSON array.</summary>
    /// <returns>The JSON array.</returns>
    [JSExport]
    public static string ScenarioNames() => new JsonArray([.. ConformanceScenarios.All.Select(s => (JsonNode)s.Name)]).ToJsonString();

    /// <summary>
    /// Runs one scenario and returns JSON: <c>scenario</c>, <c>outcome</c> (Passed, Skipped or Failed), <c>message</c>
    /// (the skip reason or the failure), <c>elapsedMs</c>, the driver's <c>driver</c> name and <c>capabilities</c>, the
    /// Web Workers still alive after it (<c>liveWorkers</c>), and the unobserved task exceptions reported since the
    /// previous run (<c>unobserved</c>, after a collection).
    /// </summary>
    /// <param name="name">The scenario's name.</param>
    /// <returns>The JSON result; never a rejected promise for a failing or unknown scenario.</returns>
    [JSExport]
    public static async Task<string> RunScenario(string name)
    {
        GateBoard gates = await BroadcastGateBoard.OpenAsync();
        var driver = new WebWorkerTransportDriver(gates);
        ConformanceResult result;
        int liveWorkers;
        try
        {
            result = ConformanceScenarios.All.Any(s => s.Name == name)
                ? await ConformanceRunner.RunAsync(driver, name)
                : new ConformanceResult(name, ConformanceOutcome.Failed, $"The page's catalog has no scenario named '{name}'.", TimeSpan.Zero);
        }
        finally
        {
            liveWorkers = driver.CountAllLiveWorkers();
            driver.ForgetCounters();
        }

        // Tasks of this run that nobody observed are reported by their finalizers: collect, then let them run.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await Task.Yield();
        var unobserved = new JsonArray();
        while (Unobserved.TryDequeue(out string? text))
        {
            unobserved.Add((JsonNode)text);
        }

        return new JsonObject
        {
            ["scenario"] = result.Scenario,
            ["outcome"] = result.Outcome.ToString(),
            ["message"] = result.Message,
            ["elapsedMs"] = result.Elapsed.TotalMilliseconds,
            ["driver"] = driver.Name,
            ["capabilities"] = driver.Capabilities.ToString(),
            ["liveWorkers"] = liveWorkers,
            ["unobserved"] = unobserved,
        }.ToJsonString();
    }
}
