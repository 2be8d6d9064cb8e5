using System.Runtime.ExceptionServices;
using Awsm.Scheduler.Testing.Internal;

namespace Awsm.Scheduler.Testing;

/// <summary>
/// One named conformance scenario: a semantic every transport honours, written once and run by any runner (the xunit
/// layer, a browser page, a console). Its body builds pools over the driver's transport, drives them with gates, the
/// fault decorator and a fake clock, and throws when the transport does not conform.
/// </summary>
public sealed class ConformanceScenario
{
    private readonly Func<ConformanceContext, Task> _body;

    internal ConformanceScenario(string name, string description, TransportCapabilities requires, Func<ConformanceContext, Task> body)
    {
        Name = name;
        Description = description;
        Requires = requires;
        _body = body;
    }

    /// <summary>Gets the scenario's name, in the form <c>Method_Condition_Expected</c>; the xunit fact has the same name.</summary>
    public string Name { get; }

    /// <summary>Gets what the scenario proves, in one sentence.</summary>
    public string Description { get; }

    /// <summary>Gets the capabilities the transport needs for this scenario to be driven.</summary>
    public TransportCapabilities Requires { get; }

    /// <summary>Says why a driver cannot run this scenario, or <see langword="null"/> when it can.</summary>
    /// <param name="driver">The driver.</param>
    /// <returns>The skip reason, naming the missing capabilities, or <see langword="null"/>.</returns>
    public string? SkipReason(TransportDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        TransportCapabilities missing = Requires & ~driver.Capabilities;
        return missing == TransportCapabilities.None
            ? null
            : $"{driver.Name} cannot drive this scenario: it lacks {missing} (declared by its driver's capabilities).";
    }

    /// <summary>
    /// Runs the scenario against a driver's transport, then aborts the pools it made and checks that nothing was left
    /// pending (nor any worker alive, when the driver counts them). Every wait is bounded by
    /// <see cref="TransportDriver.HangGuard"/>.
    /// </summary>
    /// <param name="driver">The driver.</param>
    /// <returns>A task that completes when the scenario passed.</returns>
    /// <exception cref="InvalidOperationException">The driver lacks a capability the scenario requires (see <see cref="SkipReason"/>).</exception>
    /// <exception cref="ConformanceException">A check failed: the transport does not conform.</exception>
    /// <exception cref="TimeoutException">The scenario did not end within <see cref="TransportDriver.HangGuard"/>.</exception>
    /// <exception cref="Exception">Anything else the scenario's pools threw where it expected none.</exception>
    public async Task RunAsync(TransportDriver driver)
    {
        if (SkipReason(driver) is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var context = new ConformanceContext(driver);
        ExceptionDispatchInfo? failure = null;
        Task? body = null;
        try
        {
            body = _body(context);
            await body.WaitAsync(driver.HangGuard).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);

            // Past the hang guard the body is abandoned, not finished: observe how it ends, so that a scenario that
            // failed by timing out does not also leave an unobserved task exception for a later run to trip over.
            if (body is { IsCompleted: false })
            {
                _ = body.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        try
        {
            await context.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (failure is null)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The scenario's own failure says more than what its clean-up found.
        }

        failure?.Throw();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
