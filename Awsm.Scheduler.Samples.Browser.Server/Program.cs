using System.Globalization;
using System.Runtime.InteropServices;
using Awsm.Scheduler.Samples.Browser.Server;

// Publishes the browser sample and serves it on http://127.0.0.1:<port>/ until Ctrl+C.
//   dotnet run --project Awsm.Scheduler.Samples.Browser.Server -- [--port 5080] [--root <published wwwroot>]
// --bench: instead of serving until Ctrl+C, run bench.html in headless Chromium and print the table.
//   dotnet run -c Release --project Awsm.Scheduler.Samples.Browser.Server -- --bench [--rounds 5] [--only rtPool,rtJs,...] [--json <file>]
int port = 5080;
string? root = null;
bool bench = false;
int rounds = 5;
string? json = null;
string[]? only = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--root" when i + 1 < args.Length:
            root = Path.GetFullPath(args[++i]);
            break;
        case "--bench":
            bench = true;
            break;
        case "--rounds" when i + 1 < args.Length:
            rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--only" when i + 1 < args.Length:
            only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            break;
        case "--json" when i + 1 < args.Length:
            json = Path.GetFullPath(args[++i]);
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: [--port 5080] [--root <published wwwroot>] [--bench [--rounds 5] [--only rtPool,tpJs,...] [--json <file>]]");
            return 2;
    }
}

if (root is null)
{
    string repo = SamplePublisher.FindRepositoryRoot(AppContext.BaseDirectory);
    string publishDir = Path.Combine(AppContext.BaseDirectory, "sample-publish");
    Console.WriteLine($"publishing {SamplePublisher.SampleProject} into {publishDir} …");
    root = await SamplePublisher.PublishAsync(repo, publishDir, TimeSpan.FromMinutes(5));
}

await using StaticSiteHost host = await StaticSiteHost.StartAsync(root, bench ? 0 : port);
if (bench)
{
    return await BenchRunner.RunAsync(host.BaseUri, rounds, only, json);
}

Console.WriteLine($"serving {root}");
Console.WriteLine($"open {host.BaseUri}  (Ctrl+C to stop)");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    stop.TrySetResult();
});
await stop.Task;
return 0;
