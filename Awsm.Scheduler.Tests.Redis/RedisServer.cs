using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// A redis-server of the test run's own, on 127.0.0.1 and a free port, without persistence. Started when first used,
/// killed on dispose and on process exit. A missing redis-server fails the tests (never skips them).
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly Lock _gate = new();
    private Process? _process;

    public RedisServer()
    {
        Port = FreePort();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
        Start();
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Gets a configuration string with short timeouts, for tests that cut the server off.</summary>
    public string Configuration => $"{Endpoint},abortConnect=false,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    public static string Executable =>
        File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" :
        Environment.GetEnvironmentVariable("REDIS_SERVER") ?? throw new InvalidOperationException(
            "redis-server is not installed: the Redis tests need it (apt-get install redis-server, or set REDIS_SERVER). They never skip.");

    public void Start()
    {
        lock (_gate)
        {
            var info = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
            {
                info.ArgumentList.Add(arg);
            }

            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;

            // The server prints its readiness line once it accepts connections: a real signal, bounded by a hang guard.
            if (!ready.Task.Wait(StartTimeout))
            {
                Kill();
                throw new InvalidOperationException($"redis-server did not accept connections on {Endpoint} within {StartTimeout.TotalSeconds} s.");
            }
        }
    }

    /// <summary>Restarts the server on the same port: every key is gone (no persistence), clients reconnect.</summary>
    public void Restart()
    {
        Kill();
        Start();
    }

    public void Kill()
    {
        lock (_gate)
        {
            if (_process is { } process)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                        process.WaitForExit(10_000);
                    }
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }

                process.Dispose();
                _process = null;
            }
        }
    }

    public void Dispose() => Kill();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
