using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>
/// Validates a pool's jobs, transport and resilience pipeline when the host starts, so that a missing transport or an
/// unknown pipeline key fails the start rather than the first dispatch.
/// </summary>
internal sealed class SchedulerPoolSettingsValidator(SchedulerPoolNames pools, IServiceProvider services) : IValidateOptions<SchedulerPoolSettings>
{
    public ValidateOptionsResult Validate(string? name, SchedulerPoolSettings settings)
    {
        if (!pools.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        List<string> failures = [];
        if (settings.TransportFactory is null)
        {
            failures.Add($"Pool '{name}' has no transport. Call UseInProcTransport(), UseWebWorkerTransport() or UseTransport(...) on the builder that AddAwsmScheduler(\"{name}\") returns.");
        }

        try
        {
            settings.BuildRegistry();
        }
        catch (InvalidOperationException ex)
        {
            failures.Add($"Pool '{name}': {ex.Message}");
        }

        if (settings.PipelineKey is { } key && !TryResolvePipeline(services, key, out _, out string? error))
        {
            failures.Add($"Pool '{name}': {error}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Resolves a pipeline by key from <see cref="ResiliencePipelineProvider{TKey}"/>, or says why it cannot.</summary>
    internal static bool TryResolvePipeline(IServiceProvider services, string key, out ResiliencePipeline? pipeline, out string? error)
    {
        pipeline = null;
        ResiliencePipelineProvider<string>? provider = services.GetService<ResiliencePipelineProvider<string>>();
        if (provider is null)
        {
            error = $"the resilience pipeline '{key}' cannot be resolved: no ResiliencePipelineProvider<string> is registered. Register the pipeline with services.AddResiliencePipeline(\"{key}\", ...) from Polly.Extensions.";
            return false;
        }

        if (!provider.TryGetPipeline(key, out pipeline))
        {
            error = $"no resilience pipeline is registered under the key '{key}'. Register it with services.AddResiliencePipeline(\"{key}\", ...) from Polly.Extensions, or fix the key passed to UseResiliencePipeline.";
            return false;
        }

        error = null;
        return true;
    }
}
