using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal;

/// <summary>Turns what a worker sent back into the caller's output type.</summary>
internal interface IJobOutputDecoder<TOutput>
{
    TOutput DecodeOutput(JobPayload payload);
}
