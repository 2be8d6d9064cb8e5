using System.Diagnostics;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// Runs conformance scenarios under any runner, or none (a browser page, a console, an NUnit or MSTest test) and reports each as passed,
/// skipped with its reason, or failed with its message. Never throws for a failing scenario.
/// </summary>
public static class ConformanceRunner
{
    /// <summary>Runs one scenario by name.</summary>
    /// <param name="driver">The transport's driver.</param>
    /// <param name="scenarioName">The scenario's name (<see cref="ConformanceScenario.Name"/>).</param>
    /// <returns>The result.</returns>
    /// <exception cref="KeyNotFoundException">No scenario has that name.</exception>
    public static Task<ConformanceResult> RunAsync(TransportDriver driver, string scenarioName) =>
        RunAsync(driver, ConformanceScenarios.Get(scenarioName));

    /// <summary>Runs one scenario.</summary>
    /// <param name="driver">The transport's driver.</param>
    /// <param name="scenario">The scenario.</param>
    /// <returns>The result.</returns>
    public static async Task<ConformanceResult> RunAsync(TransportDriver driver, ConformanceScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.SkipReason(driver) is { } reason)
        {
            return new ConformanceResult(scenario.Name, ConformanceOutcome.Skipped, reason, TimeSpan.Zero);
        }

        long started = Stopwatch.GetTimestamp();
        try
        {
            await scenario.RunAsync(driver).ConfigureAwait(false);
            return new ConformanceResult(scenario.Name, ConformanceOutcome.Passed, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex)
        {
            return new ConformanceResult(scenario.Name, ConformanceOutcome.Failed, ex.ToString(), Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Runs every scenario of the catalog, one after the other.</summary>
    /// <param name="driver">The transport's driver.</param>
    /// <returns>One result per scenario, in catalog order.</returns>
    public static async Task<IReadOnlyList<ConformanceResult>> RunAllAsync(TransportDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        var results = new List<ConformanceResult>(ConformanceScenarios.All.Count);
        foreach (ConformanceScenario scenario in ConformanceScenarios.All)
        {
            results.Add(await RunAsync(driver, scenario).ConfigureAwait(false));
        }

        return results;
    }
}
