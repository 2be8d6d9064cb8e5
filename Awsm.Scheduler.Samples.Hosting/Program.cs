// A minimal ASP.NET Core app that runs CPU-bound jobs on an Awsm.Scheduler pool, registered with dependency injection,
// started and drained with the host, with every dispatch inside a Polly pipeline.
//
//   dotnet run --project Awsm.Scheduler.Samples.Hosting
//   curl http://127.0.0.1:5180/primes/2000000
//   curl -X POST http://127.0.0.1:5180/chaos/crash-next/0   # the next job on worker 0 crashes it; Polly retries elsewhere
//   curl http://127.0.0.1:5180/stats
//
// OpenTelemetry (not referenced here, to keep the sample free of extra packages): the pool reports on the meter and the
// activity source both named "Awsm.Scheduler" (SchedulerTelemetry.Name), so the wiring is two lines:
//
//   builder.Services.AddOpenTelemetry()
//       .WithMetrics(m => m.AddMeter(SchedulerTelemetry.Name).AddOtlpExporter())
//       .WithTracing(t => t.AddSource(SchedulerTelemetry.Name).AddAspNetCoreInstrumentation().AddOtlpExporter());
//
// The job envelope carries the request's trace context, so spans created inside a job join the request's trace.
using Awsm.Scheduler;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Samples.Hosting;
using Polly;
using Polly.Retry;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// Loopback only, unless the command line or ASPNETCORE_URLS says otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5180");
}

// The pool's [LoggerMessage] events (worker ready, crashed, respawned; job failed, timed out) use the category
// "Awsm.Scheduler.WorkerPool".
builder.Logging.AddFilter("Awsm.Scheduler", LogLevel.Information);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

// One pipeline, by key, for every dispatch of the pool: retry transient failures (a crashed worker, a timed-out job)
// on another worker, and give each attempt five seconds; Polly's timeout cancels the job on its worker too.
builder.Services.AddResiliencePipeline("scheduler", pipeline => pipeline
    .AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = SchedulerFailures.TransientPredicate(),
        MaxRetryAttempts = 2,
        Delay = TimeSpan.FromMilliseconds(50),
    })
    .AddTimeout(TimeSpan.FromSeconds(5)));

// A named pool on in-process workers. For the chaos endpoint below, the transport is wrapped in the fault-injecting
// decorator of Awsm.Scheduler.Testing; an app without chaos endpoints writes .UseInProcTransport() instead.
builder.Services.AddAwsmScheduler("primes", o => o.WorkerCount = Math.Clamp(Environment.ProcessorCount, 1, 4))
    .AddJob<CountPrimesJob, int, PrimeCount>(SampleJsonContext.Default)
    .UseFaultInjectingTransport(_ => new InProcTransport())
    .UseResiliencePipeline("scheduler");

WebApplication app = builder.Build();

app.MapGet("/primes/{limit:int}", async (int limit, [FromKeyedServices("primes")] IWorkerPool pool, CancellationToken requestAborted) =>
{
    if (limit is < 0 or > 50_000_000)
    {
        return Results.BadRequest("limit must be in [0, 50000000].");
    }

    try
    {
        // The request's token cancels the job on its worker when the client goes away.
        PrimeCount result = await pool.DispatchAsync<CountPrimesJob, int, PrimeCount>(limit, requestAborted);
        return Results.Ok(result);
    }
    catch (SchedulerException ex) when (SchedulerFailures.IsTransient(ex))
    {
        return Results.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
});

app.MapGet("/stats", ([FromKeyedServices("primes")] IWorkerPool pool) => Results.Ok(pool.GetStats()));

app.MapPost("/chaos/crash-next/{worker:int}", (int worker, [FromKeyedServices("primes")] IWorkerPool pool, IServiceProvider services) =>
{
    if (worker < 0 || worker >= pool.GetStats().Workers.Count)
    {
        return Results.BadRequest($"worker must be in [0, {pool.GetStats().Workers.Count}).");
    }

    services.GetFaultInjectingTransport("primes").CrashOnNextJob(worker);
    return Results.Accepted();
});

app.Run();
