using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Demo.Jobs;

/// <summary>
/// Source-generated JSON metadata for the demo's job inputs and progress values. The tile output is a <c>byte[]</c>,
/// which the scheduler sends as raw bytes, so it needs no entry here.
/// </summary>
[JsonSerializable(typeof(TileRequest))]
[JsonSerializable(typeof(TileProgress))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
