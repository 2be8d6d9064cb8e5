using Microsoft.Extensions.Options;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>
/// Validates the options of the pools registered through <c>AddAwsmScheduler</c> when the host starts: values the
/// setters rejected, the pool name, and rules that span fields. Each failure names the pool and the option.
/// </summary>
internal sealed class WorkerPoolOptionsValidator(SchedulerPoolNames pools) : IValidateOptions<WorkerPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerPoolOptions options)
    {
        if (!pools.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        List<string> failures = [.. WorkerPoolOptionsErrors.Get(options).Select(e => $"Pool '{name}': {e}")];
        if (!string.Equals(options.Name, name, StringComparison.Ordinal))
        {
            failures.Add($"Pool '{name}': {nameof(WorkerPoolOptions)}.{nameof(WorkerPoolOptions.Name)} is '{options.Name}', but the pool is registered as '{name}'. Name the pool in AddAwsmScheduler(\"{options.Name}\") instead.");
        }

        if (options.RespawnMaxDelay < options.RespawnInitialDelay)
        {
            failures.Add($"Pool '{name}': {nameof(WorkerPoolOptions)}.{nameof(WorkerPoolOptions.RespawnMaxDelay)} ({options.RespawnMaxDelay}) is less than {nameof(WorkerPoolOptions.RespawnInitialDelay)} ({options.RespawnInitialDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
