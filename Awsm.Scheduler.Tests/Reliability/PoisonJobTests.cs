using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>Poison jobs: an input that keeps crashing its worker is quarantined instead of killing more workers.</summary>
public sealed class PoisonJobTests
{
    private static readonly TimeSpan Respawn = TimeSpan.FromSeconds(1);

    public static TheoryData<InProcPayloadMode> Modes => new() { InProcPayloadMode.Serialized, InProcPayloadMode.ByReference };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DispatchAsync_InputCrashedWorkerThresholdTimes_NextDispatchFailsFastWithJobQuarantined(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await StartAsync(mode);
        string input = NewPoison();

        for (int crash = 1; crash <= WorkerPoolDefaults.PoisonJobThreshold; crash++)
        {
            await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(input));
            h.Time.Advance(Respawn);
        }

        int starts = h.Transport.StartCount(0) + h.Transport.StartCount(1);
        ValueTask<string> refused = h.Pool.DispatchAsync<PoisonJob, string, string>(input);

        Assert.True(refused.IsFaulted, "a quarantined input is refused at once, before anything is queued or sent");
        JobQuarantinedException error = await Assert.ThrowsAsync<JobQuarantinedException>(() => refused.AsTask());
        Assert.Equal(PoisonJob.Name, error.JobName);
        Assert.Equal(WorkerPoolDefaults.PoisonJobThreshold, error.Crashes);
        Assert.False(error.IsTransient);
        Assert.False(SchedulerFailures.IsTransient(error));

        // Another input of the same job, and the same input of another job, still run.
        Assert.Equal("fine", await h.Poison("fine"));
        Assert.Equal(input, await h.Echo(input));

        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(WorkerPoolDefaults.PoisonJobThreshold, stats.Workers.Sum(w => w.Crashes));
        Assert.Equal(starts, h.Transport.StartCount(0) + h.Transport.StartCount(1));
        Assert.Equal(1, stats.QuarantinedInputs);
        Assert.Equal(1, stats.Refused);
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DispatchAsync_ThresholdZero_NeverQuarantines(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await StartAsync(mode, o => o.PoisonJobThreshold = 0);
        string input = NewPoison();

        for (int crash = 1; crash <= 5; crash++)
        {
            await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(input));
            h.Time.Advance(Respawn);
        }

        Assert.Null(h.Pool.PoisonJobs);
        Assert.Equal(0, h.Pool.GetStats().QuarantinedInputs);
        Assert.Equal(5, h.Pool.GetStats().Workers.Sum(w => w.Crashes));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DispatchAsync_SuccessBetweenCrashes_ClearsStrikes(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await StartAsync(mode);
        string input = NewPoison();

        for (int crash = 1; crash < WorkerPoolDefaults.PoisonJobThreshold; crash++)
        {
            await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(input));
            h.Time.Advance(Respawn);
        }

        Assert.Equal(WorkerPoolDefaults.PoisonJobThreshold - 1, h.StrikesOf<PoisonJob>(input));
        PoisonJob.Mark(input, poisoned: false);
        Assert.Equal(input, await h.Poison(input));
        Assert.Equal(0, h.StrikesOf<PoisonJob>(input));

        // The row starts again: threshold - 1 further crashes do not quarantine it.
        PoisonJob.Mark(input, poisoned: true);
        for (int crash = 1; crash < WorkerPoolDefaults.PoisonJobThreshold; crash++)
        {
            await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(input));
            h.Time.Advance(Respawn);
        }

        Assert.Equal(0, h.Pool.GetStats().QuarantinedInputs);
        await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(input));
        await Assert.ThrowsAsync<JobQuarantinedException>(() => h.Poison(input));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DispatchAsync_CopiesQueuedWhenInputIsQuarantined_FailWithoutReachingAWorker(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await StartAsync(mode, o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
            o.PoisonJobThreshold = 1;
        });
        string input = NewPoison();

        Task<string> first = h.Poison(input);
        Task<string>[] copies = [h.Poison(input), h.Poison(input), h.Poison(input)];

        await Assert.ThrowsAsync<WorkerCrashedException>(() => first);
        foreach (Task<string> copy in copies)
        {
            // No respawn happened (the fake clock did not move): the copies were failed in the queue.
            await Assert.ThrowsAsync<JobQuarantinedException>(() => copy);
        }

        Assert.Equal(1, h.Transport.StartCount(0));
        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(3, stats.Refused);
        Assert.Equal(4, stats.Failed);
        Assert.Equal(0, stats.Pending);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DispatchAsync_BystanderOnCrashedWorker_GetsAStrikeThatItsNextSuccessClears(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await StartAsync(mode, o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 2;
        });
        Gate gate = Gate.Create();
        Task<string> bystander = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);

        await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(NewPoison()));
        await Assert.ThrowsAsync<WorkerCrashedException>(() => bystander.WaitAsync(ReliabilityHarness.Safety));
        Assert.Equal(1, StrikesOfGate(h, gate.Key));

        h.Time.Advance(Respawn);
        gate.Release.SetResult();
        Assert.Equal($"{gate.Key}@0", await h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask().WaitAsync(ReliabilityHarness.Safety));
        Assert.Equal(0, StrikesOfGate(h, gate.Key));
    }

    [Fact]
    public async Task DispatchAsync_InputQuarantined_LogsAndCountsIt()
    {
        await using ReliabilityHarness h = await StartAsync(InProcPayloadMode.Serialized, o => o.PoisonJobThreshold = 1);
        using var quarantined = new MetricCollector<long>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsQuarantined);
        using var refused = new MetricCollector<long>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.JobsRefused);
        using var failures = new MetricCollector<long>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.WorkerFailures);
        string input = NewPoison();

        await Assert.ThrowsAsync<WorkerCrashedException>(() => h.Poison(input));
        await Assert.ThrowsAsync<JobQuarantinedException>(() => h.Poison(input));

        IReadOnlyDictionary<string, object?> logged = Assert.Single(h.Logs.Events(14));
        Assert.Equal(PoisonJob.Name, logged["Job"]);
        Assert.Equal(1, logged["Crashes"]);
        Assert.Single(h.Logs.Events(15));
        Assert.Equal(1, Assert.Single(quarantined.GetMeasurementSnapshot()).Value);
        Assert.Equal(PoisonJob.Name, Assert.Single(refused.GetMeasurementSnapshot()).Tags[SchedulerTelemetry.JobTag]);
        Assert.Equal(1, Assert.Single(failures.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public void PoisonJobThreshold_Negative_ThrowsNamingTheOption()
    {
        var options = new WorkerPoolOptions();
        Assert.Equal(WorkerPoolDefaults.PoisonJobThreshold, options.PoisonJobThreshold);
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => options.PoisonJobThreshold = -1);
        Assert.Equal(nameof(WorkerPoolOptions.PoisonJobThreshold), error.ParamName);
        options.PoisonJobThreshold = 0;
        Assert.Equal(0, options.PoisonJobThreshold);
    }

    [Fact]
    public void RecordCrash_BeyondCapacity_ForgetsTheOldestAndStaysBounded()
    {
        var tracker = new PoisonJobTracker(threshold: 2, capacity: 100);
        for (int i = 0; i < 1_000; i++)
        {
            tracker.RecordCrash("job", JobPayload.FromValue($"input-{i}"), out _);
            tracker.RecordCrash("job", JobPayload.FromValue($"input-{i}"), out _);
            Assert.True(tracker.Count <= tracker.Capacity);
        }

        Assert.Equal(100, tracker.Count);
        Assert.Equal(100, tracker.QuarantinedCount);
        Assert.False(tracker.IsQuarantined("job", JobPayload.FromValue("input-0"), out _));
        Assert.True(tracker.IsQuarantined("job", JobPayload.FromValue("input-999"), out int crashes));
        Assert.Equal(2, crashes);
    }

    [Fact]
    public void RecordReply_AfterStrike_ClearsItButNotAQuarantine()
    {
        var tracker = new PoisonJobTracker(threshold: 2);
        JobPayload bystander = JobPayload.FromBytes("\"b\""u8.ToArray());
        JobPayload poison = JobPayload.FromBytes("\"p\""u8.ToArray());

        Assert.False(tracker.RecordCrash("job", bystander, out int strikes));
        Assert.Equal(1, strikes);
        tracker.RecordCrash("job", poison, out _);
        Assert.True(tracker.RecordCrash("job", poison, out strikes));
        Assert.Equal(2, strikes);

        tracker.RecordReply("job", bystander);
        tracker.RecordReply("job", poison);

        Assert.Equal(0, tracker.StrikesOf("job", bystander));
        Assert.True(tracker.IsQuarantined("job", poison, out _));
        Assert.False(tracker.IsQuarantined("other-job", poison, out _));
        Assert.Equal(1, tracker.Count);
    }

    [Fact]
    public void RecordCrash_InputWhoseHashThrows_IsNotTracked()
    {
        var tracker = new PoisonJobTracker(threshold: 1);
        Assert.False(tracker.RecordCrash("job", JobPayload.FromValue(new HostileHash()), out _));
        Assert.Equal(0, tracker.Count);
    }

    private static int StrikesOfGate(ReliabilityHarness h, string key) =>
        h.Pool.PoisonJobs!.StrikesOf(GateJob.Name, h.Registry.Get<GateJob, string, string>().EncodeInput(key, h.Transport.RequiresEncodedPayloads));

    private static Task<ReliabilityHarness> StartAsync(InProcPayloadMode mode, Action<WorkerPoolOptions>? configure = null) =>
        ReliabilityHarness.StartAsync(mode, o =>
        {
            o.RespawnInitialDelay = Respawn;
            o.RespawnMaxDelay = Respawn;
            o.MaxRespawnAttempts = 100;
            configure?.Invoke(o);
        });

    private static string NewPoison()
    {
        string input = $"poison-{Guid.NewGuid():N}";
        PoisonJob.Mark(input, poisoned: true);
        return input;
    }

    private sealed class HostileHash
    {
        public override int GetHashCode() => throw new InvalidOperationException("hostile");

        public override bool Equals(object? obj) => ReferenceEquals(this, obj);
    }
}
