using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Testing.Internal.Jobs;

/// <summary>Source-generated JSON metadata of the conformance jobs' inputs and outputs (trim-safe).</summary>
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(SumInput))]
[JsonSerializable(typeof(SumOutput))]
[JsonSerializable(typeof(GateInput))]
internal sealed partial class ConformanceJsonContext : JsonSerializerContext;

/// <summary>The summing job's input.</summary>
/// <param name="Values">The values to add.</param>
internal sealed record SumInput(int[] Values);

/// <summary>The summing job's output.</summary>
/// <param name="Total">The sum.</param>
/// <param name="Worker">The worker that added.</param>
internal sealed record SumOutput(long Total, int Worker);
