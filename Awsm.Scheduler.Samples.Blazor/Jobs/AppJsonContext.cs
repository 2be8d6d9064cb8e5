using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Samples.Blazor.Jobs;

/// <summary>A half-open range of numbers, [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="From">The first number.</param>
/// <param name="To">One past the last number.</param>
public sealed record PrimeRange(long From, long To);

/// <summary>How many primes a range holds, and where and how fast it was counted.</summary>
/// <param name="Primes">The number of primes.</param>
/// <param name="Worker">The index of the worker that counted them.</param>
/// <param name="WorkerMs">The time the count took inside the worker.</param>
public sealed record PrimeCount(int Primes, int Worker, double WorkerMs);

/// <summary>Source-generated JSON metadata of the app's job inputs and outputs (trim-safe).</summary>
[JsonSerializable(typeof(PrimeRange))]
[JsonSerializable(typeof(PrimeCount))]
[JsonSerializable(typeof(double))]
public sealed partial class AppJsonContext : JsonSerializerContext;
