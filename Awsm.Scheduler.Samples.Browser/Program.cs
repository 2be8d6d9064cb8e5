using Awsm.Scheduler;
using Awsm.Scheduler.Samples.Browser.Conformance;
using Awsm.Scheduler.Samples.Browser.Jobs;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.WebWorker;

// The same Main runs on the page and in every web worker. In a worker it registers the same jobs the page does,
// plus the conformance jobs (gated through the BroadcastChannel the page's conformance runs use), and serves them; on
// the page it returns at once and wwwroot/main.js drives the [JSExport]s in Page/ and Conformance/.
if (WebWorkerHost.IsWorker && OperatingSystem.IsBrowser())
{
    GateBoard gates = await BroadcastGateBoard.OpenAsync();
    await WebWorkerHost.RunAsync(ConformanceJobs.Register(SampleJobs.Register(new JobRegistry()), gates));
}
