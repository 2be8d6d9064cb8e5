using System.Runtime.CompilerServices;

namespace Awsm.Scheduler.DependencyInjection;

/// <summary>
/// Remembers what a configuration action set wrongly. <see cref="WorkerPoolOptions"/> setters throw at once; an action
/// registered through the builder runs when the options are first created, so the exception is caught here and turned
/// into a validation failure that names the pool and the option, reported when the host starts.
/// </summary>
internal static class WorkerPoolOptionsErrors
{
    private static readonly ConditionalWeakTable<WorkerPoolOptions, List<string>> Errors = [];

    public static void Run(WorkerPoolOptions options, Action<WorkerPoolOptions> configure)
    {
        try
        {
            configure(options);
        }
        catch (ArgumentException ex)
        {
            List<string> errors = Errors.GetOrCreateValue(options);
            lock (errors)
            {
                errors.Add(Describe(ex));
            }
        }
    }

    public static IReadOnlyList<string> Get(WorkerPoolOptions options)
    {
        if (!Errors.TryGetValue(options, out List<string>? errors))
        {
            return [];
        }

        lock (errors)
        {
            return [.. errors];
        }
    }

    private static string Describe(ArgumentException ex)
    {
        // "WorkerCount ('0') must be a non-negative and non-zero value. (Parameter 'WorkerCount')\nActual value was 0."
        string message = ex.Message;
        int parameter = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (parameter >= 0)
        {
            message = message[..parameter];
        }

        return ex.ParamName is { Length: > 0 } option
            ? $"{nameof(WorkerPoolOptions)}.{option}: {message}"
            : $"{nameof(WorkerPoolOptions)}: {message}";
    }
}
