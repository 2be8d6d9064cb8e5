using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using Awsm.Scheduler.WebWorker.Internal;

namespace Awsm.Scheduler.WebWorker;

/// <summary>
/// The worker side of the WebWorker transport. Each web worker runs the app's own <c>Main</c>; when
/// <see cref="IsWorker"/> is <see langword="true"/>, <c>Main</c> registers the app's jobs with the same code the page uses
/// and awaits <see cref="RunAsync"/>, which serves jobs until the worker is terminated.
/// </summary>
/// <example>
/// <code>
/// public static async Task Main()
/// {
///     JobRegistry registry = MyJobs.CreateRegistry(); // the same registrations on both sides
///     if (WebWorkerHost.IsWorker)
///     {
///         await WebWorkerHost.RunAsync(registry);
///         return;
///     }
///
///     await using var pool = new WorkerPool(new WebWorkerTransport(), registry);
///     // ...
/// }
/// </code>
/// </example>
public static class WebWorkerHost
{
    private const string MarkerProperty = "__awsmWorker";

    private static int s_running;

    /// <summary>
    /// Gets a value indicating whether this .NET runtime runs inside a web worker started by a
    /// <see cref="WebWorkerTransport"/>. <see langword="false"/> on a page and outside browsers.
    /// </summary>
    /// <remarks>
    /// A platform guard: inside <c>if (WebWorkerHost.IsWorker)</c> the browser-only <see cref="RunAsync"/> raises no CA1416.
    /// Check it first in <c>Program.cs</c>, before <c>WebAssemblyHostBuilder.CreateDefault</c>: Blazor's host builder needs the
    /// page and fails inside a worker (with an error that says so).
    /// </remarks>
    [SupportedOSPlatformGuard("browser")]
    public static bool IsWorker => OperatingSystem.IsBrowser() && Marker() is not null;

    /// <summary>Gets the index of this worker in its pool, or -1 when <see cref="IsWorker"/> is <see langword="false"/>.</summary>
    public static int WorkerIndex
    {
        get
        {
            if (!OperatingSystem.IsBrowser())
            {
                return -1;
            }

            using JSObject? marker = Marker();
            return marker is null ? -1 : marker.GetPropertyAsInt32("index");
        }
    }

    /// <summary>
    /// Serves jobs in this worker with <paramref name="registry"/> until <paramref name="cancellationToken"/> fires (or the
    /// worker is terminated, which is the usual end). Reports ready to the page once the registry is in place; jobs the page
    /// sent earlier are queued until then.
    /// </summary>
    /// <param name="registry">The worker's jobs: register them with the same code as on the page.</param>
    /// <param name="services">Services offered to jobs through <see cref="JobContext.Services"/>; none by default.</param>
    /// <param name="cancellationToken">Stops serving: running jobs are cancelled.</param>
    /// <returns>A task that completes when serving stops.</returns>
    /// <exception cref="InvalidOperationException">Not in a web worker of this transport, or already serving.</exception>
    [SupportedOSPlatform("browser")]
    public static async Task RunAsync(JobRegistry registry, IServiceProvider? services = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        long entered = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!IsWorker)
        {
            throw new InvalidOperationException("WebWorkerHost.RunAsync runs only inside a web worker started by WebWorkerTransport; check WebWorkerHost.IsWorker first.");
        }

        if (Interlocked.Exchange(ref s_running, 1) != 0)
        {
            throw new InvalidOperationException("WebWorkerHost.RunAsync is already serving jobs in this worker.");
        }

        var endpoint = new WorkerEndpoint(registry, WorkerIndex, services, WorkerInterop.Sink.Instance);
        WorkerInterop.Endpoint = endpoint;
        WorkerInterop.Ready(System.Diagnostics.Stopwatch.GetElapsedTime(entered).TotalMilliseconds);

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), stopped))
        {
            await stopped.Task.ConfigureAwait(false);
        }

        WorkerInterop.Endpoint = null;
        endpoint.CancelAll();
        Volatile.Write(ref s_running, 0);
    }

    [SupportedOSPlatform("browser")]
    private static JSObject? Marker() =>
        JSHost.GlobalThis.HasProperty(MarkerProperty) ? JSHost.GlobalThis.GetPropertyAsJSObject(MarkerProperty) : null;
}
