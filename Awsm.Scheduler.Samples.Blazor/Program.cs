using Awsm.Scheduler;
using Awsm.Scheduler.Samples.Blazor;
using Awsm.Scheduler.Samples.Blazor.Jobs;
using Awsm.Scheduler.WebWorker;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

// The same Program runs on the page and in every web worker. Check IsWorker first, before CreateDefault: inside a worker
// it registers the same jobs and serves them until the worker is terminated.
if (WebWorkerHost.IsWorker)
{
    await WebWorkerHost.RunAsync(AppJobs.Register(new JobRegistry()));
    return;
}

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

builder.Services.AddAwsmScheduler("default", o => o.WorkerCount = 4).ConfigureJobs(jobs => AppJobs.Register(jobs)).UseWebWorkerTransport();

await builder.Build().RunAsync();
