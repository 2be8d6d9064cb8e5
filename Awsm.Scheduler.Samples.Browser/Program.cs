using Awsm.Scheduler;
using Awsm.Scheduler.Samples.Browser.Jobs;
using Awsm.Scheduler.WebWorker;

// The same Main runs on the page and in every web worker. In a worker it registers the same jobs the page does
// and serves them; on the page it returns at once and wwwroot/main.js drives the [JSExport]s in Page/.
if (WebWorkerHost.IsWorker && OperatingSystem.IsBrowser())
{
    await WebWorkerHost.RunAsync(SampleJobs.Register(new JobRegistry()));
}
