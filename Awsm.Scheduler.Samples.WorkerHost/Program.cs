// A worker-host process: serves worker slots of remote pools over Redis, with the demo's job set and the fleet jobs.
//   dotnet run --project Awsm.Scheduler.Samples.WorkerHost -c Release -- --redis 127.0.0.1:6379 --name host-a --slots 2
// Options: --redis <config> (default 127.0.0.1:6379), --name <host name>, --slots <n> (default: processor count),
//          --prefix <key prefix> (default awsm), --lease-ms <ms> (default 5000).
// Ctrl+C / SIGTERM drains: running jobs finish, then the slots are handed over to other hosts.
using Awsm.Scheduler.Demo.Jobs;
using Awsm.Scheduler.Samples.WorkerHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

string Arg(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

string redis = Arg("--redis", "127.0.0.1:6379");
string name = Arg("--name", $"{Environment.MachineName}:{Environment.ProcessId}");
int slots = int.Parse(Arg("--slots", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
string prefix = Arg("--prefix", "awsm");
int leaseMs = int.Parse(Arg("--lease-ms", "5000"), System.Globalization.CultureInfo.InvariantCulture);

HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services
    .AddAwsmSchedulerWorkerHost(o =>
    {
        o.Configuration = redis;
        o.HostName = name;
        o.MaxSlots = slots;
        o.KeyPrefix = prefix;
        o.LeaseTime = TimeSpan.FromMilliseconds(leaseMs);
    })
    .ServePool(DemoJobs.PoolName, DemoJobs.Register)
    .ServePool(FleetJobs.PoolName, FleetJobs.Register);

using IHost host = builder.Build();
await host.RunAsync();
