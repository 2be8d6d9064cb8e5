using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Samples.WorkerHost;

/// <summary>Source-generated JSON metadata of the fleet jobs' inputs and outputs.</summary>
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
