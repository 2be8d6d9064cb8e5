namespace Awsm.Scheduler.Testing;

/// <summary>How a scenario run by <see cref="ConformanceRunner"/> ended.</summary>
public enum ConformanceOutcome
{
    /// <summary>The transport conforms.</summary>
    Passed = 0,

    /// <summary>The driver lacks a capability the scenario needs; the result's message says which.</summary>
    Skipped = 1,

    /// <summary>The transport does not conform (or the scenario hung past its guard); the result's message says how.</summary>
    Failed = 2,
}
