using System.Text.Json.Serialization;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>What the page tells a new worker in its <c>init</c> message (the worker adds its index).</summary>
/// <param name="DotnetUrl">Absolute URL of the app's dotnet.js.</param>
/// <param name="LibAssembly">This library's assembly name, for <c>getAssemblyExports</c>.</param>
/// <param name="LibClass">The full name of the class holding the worker-side <c>[JSExport]</c>s.</param>
/// <param name="Handover">Whether the page posts its runtime resources to the worker.</param>
/// <param name="Pool">The pool's name, for the worker's name in dev tools.</param>
/// <param name="SameOriginScripts">Whether the worker starts from the same-origin bootstrap rather than a Blob URL.</param>
/// <param name="ShareModule">Whether the page posts the worker its compiled <c>dotnet.native.wasm</c> module.</param>
/// <param name="OneAtATime">Whether the page creates the pool's workers one at a time, each once the one before is ready.</param>
internal sealed record WorkerConfig(string DotnetUrl, string LibAssembly, string LibClass, bool Handover, string Pool, bool SameOriginScripts, bool ShareModule, bool OneAtATime);

/// <summary>Source-generated JSON metadata for the transport's own messages (trim-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WorkerConfig))]
internal sealed partial class WebWorkerJsonContext : JsonSerializerContext;
