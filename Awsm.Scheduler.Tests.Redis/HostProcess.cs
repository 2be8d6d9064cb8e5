using System.Collections.Concurrent;
using System.Diagnostics;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// A real worker-host process: the sample, started with <c>dotnet Awsm.Scheduler.Samples.WorkerHost.dll</c> from the
/// test's output folder. Killed on dispose and when the test process exits, whatever happened in the test.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _handedOver = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
    }

    public string Name { get; }

    public string Output => string.Join('\n', _output);

    public Task HandedOver => _handedOver.Task;

    public static async Task<HostProcess> StartAsync(RedisServer server, string prefix, string name, int slots, int leaseMs)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Awsm.Scheduler.Samples.WorkerHost.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { dll, "--redis", server.Configuration, "--name", name, "--slots", slots.ToString(System.Globalization.CultureInfo.InvariantCulture), "--prefix", prefix, "--lease-ms", leaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        process.Exited += (_, _) => host._listening.TrySetException(new InvalidOperationException($"host {name} exited early:\n{host.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host._listening.Task.WaitAsync(Fleet.HangGuard);
        return host;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.Contains("serving slots", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }

        if (line.Contains("handed worker", StringComparison.Ordinal))
        {
            _handedOver.TrySetResult();
        }
    }

    /// <summary>kill -9: no drain, no hand-over, no goodbye.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Not started or already gone.
        }
    }

    /// <summary>SIGTERM: the host drains and hands its slots over, then exits.</summary>
    public async Task TerminateAsync()
    {
        using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync().WaitAsync(Fleet.HangGuard);
        await _process.WaitForExitAsync().WaitAsync(Fleet.HangGuard);
    }

    /// <summary>SIGSTOP / SIGCONT: the host is frozen, like a paused VM or a long GC.</summary>
    public async Task SignalAsync(string signal)
    {
        using Process kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync().WaitAsync(Fleet.HangGuard);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
