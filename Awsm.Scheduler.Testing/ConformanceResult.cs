namespace Awsm.Scheduler.Testing;

/// <summary>The result of one scenario run by <see cref="ConformanceRunner"/>.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">The skip reason or the failure (type, message and stack); <see langword="null"/> when it passed.</param>
/// <param name="Elapsed">How long it ran.</param>
public sealed record ConformanceResult(string Scenario, ConformanceOutcome Outcome, string? Message, TimeSpan Elapsed);
