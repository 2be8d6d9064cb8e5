using Awsm.Scheduler.Transport;
using Polly;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>
/// What the builder collected for one pool besides its <see cref="WorkerPoolOptions"/>: jobs, transport and resilience.
/// Named options, named after the pool, so the last registration wins as with any options.
/// </summary>
internal sealed class SchedulerPoolSettings
{
    /// <summary>Gets the job registrations, applied in order to the pool's registry.</summary>
    public List<Action<JobRegistry>> Jobs { get; } = [];

    /// <summary>Gets or sets the factory of the pool's transport; the pool owns and disposes what it returns.</summary>
    public Func<IServiceProvider, IWorkerTransport>? TransportFactory { get; set; }

    /// <summary>Gets or sets the factory of an inline pipeline; exclusive with <see cref="PipelineKey"/>.</summary>
    public Func<IServiceProvider, ResiliencePipeline>? PipelineFactory { get; set; }

    /// <summary>Gets or sets the key of a pipeline from <c>ResiliencePipelineProvider&lt;string&gt;</c>; exclusive with <see cref="PipelineFactory"/>.</summary>
    public string? PipelineKey { get; set; }

    public JobRegistry BuildRegistry()
    {
        var registry = new JobRegistry();
        foreach (Action<JobRegistry> register in Jobs)
        {
            register(registry);
        }

        return registry;
    }
}
