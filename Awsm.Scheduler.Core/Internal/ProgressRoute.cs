namespace Awsm.Scheduler.Internal;

/// <summary>A caller's <see cref="IProgress{T}"/> and the codec that decodes what the worker reports for it.</summary>
internal sealed record ProgressRoute(ProgressCodec Codec, object Target);
