using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Testing.Internal.Jobs;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// The jobs the conformance scenarios dispatch: echoing, throwing, gated, byte-array and codec-failing jobs. Both sides
/// register them: the dispatching side through <see cref="TransportDriver.CreateRegistry"/>, and the worker side of a
/// transport whose workers have their own registry (a browser worker, a worker-host process) by calling
/// <see cref="Register"/> there too.
/// </summary>
public static class ConformanceJobs
{
    private static GateBoard s_gates = GateBoard.InProcess;

    /// <summary>Gets the board the gated job of this process uses: the one given to the last <see cref="Register"/>.</summary>
    internal static GateBoard Gates => Volatile.Read(ref s_gates);

    /// <summary>Adds the conformance jobs to a registry. Their names start with <c>conformance.</c>.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="gates">Where gated jobs in this process meet their scenario; <see cref="GateBoard.InProcess"/> by default.</param>
    /// <returns>The registry, for chaining.</returns>
    public static JobRegistry Register(JobRegistry registry, GateBoard? gates = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Volatile.Write(ref s_gates, gates ?? GateBoard.InProcess);
        ConformanceJsonContext json = ConformanceJsonContext.Default;
        return registry
            .Add<AddOneJob, int, int>(json)
            .Add<WhoAmIJob, int, int>(json)
            .Add<EchoJob, string, string>(json)
            .Add<ThrowJob, string, int>(json)
            .Add<ReverseBytesJob, byte[], byte[]>(JobCodecs.ByteArray, JobCodecs.ByteArray)
            .Add<SumJob, SumInput, SumOutput>(json)
            .Add<GateJob, GateInput, string>(json)
            .Add<UnencodableOutputJob, int, CodecProbe>(JobCodecs.Json(json.Int32), FailingCodec.FailsToEncode)
            .Add<UnencodableInputJob, CodecProbe, int>(FailingCodec.FailsToEncode, JobCodecs.Json(json.Int32))
            .Add<UndecodableInputJob, CodecProbe, int>(FailingCodec.FailsToDecode, JobCodecs.Json(json.Int32));
    }
}
