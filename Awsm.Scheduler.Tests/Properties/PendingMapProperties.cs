using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Testing;
using CsCheck;

namespace Awsm.Scheduler.Tests.Properties;

/// <summary>
/// Generated schedules of dispatches, cancellations, releases and crashes, played by two threads at once against a
/// real pool (CsCheck; set CsCheck_Seed to replay a failure). Invariant: every dispatch ends exactly once with an
/// outcome its kind allows, the pending map is empty at the end, and the pool's counters match what callers saw.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class PendingMapProperties
{
    public enum Op
    {
        Dispatch,
        DispatchHeld,
        DispatchHeldCancelable,
        Cancel,
        Release,
        Crash,
        CrashOnNextJob,
    }

    private static readonly Gen<(Op Op, int Arg)> Step = Gen.Select(
        Gen.Frequency((6, Gen.Const(Op.Dispatch)), (3, Gen.Const(Op.DispatchHeld)), (3, Gen.Const(Op.DispatchHeldCancelable)), (3, Gen.Const(Op.Cancel)), (3, Gen.Const(Op.Release)), (1, Gen.Const(Op.Crash)), (1, Gen.Const(Op.CrashOnNextJob))),
        Gen.Int[0, 15]);

    [Theory]
    [InlineData(InProcPayloadMode.Serialized)]
    [InlineData(InProcPayloadMode.ByReference)]
    public Task DispatchAsync_ConcurrentSchedulesOfDispatchCancelAndCrash_EachEndsOnceAndPendingEmpties(InProcPayloadMode mode) =>
        Gen.Select(Step.Array[1, 40], Step.Array[1, 40], Gen.Int[1, 4]).SampleAsync(
            async (left, right, maxInFlight) =>
            {
                var inner = new InProcTransport(new InProcTransportOptions { Mode = mode });
                var transport = new FaultInjectingTransport(inner);
                var pool = new WorkerPool(
                    transport,
                    ReliabilityJobs.Registry(),
                    new WorkerPoolOptions { WorkerCount = 2, MaxInFlightPerWorker = maxInFlight, QueueCapacity = 8, RespawnInitialDelay = TimeSpan.Zero, MaxRespawnAttempts = int.MaxValue },
                    TimeProvider.System);
                await pool.StartAsync().WaitAsync(ReliabilityHarness.Safety);
                var a = new Player(pool, transport);
                var b = new Player(pool, transport);

                await Task.WhenAll(Task.Run(() => a.Play(left)), Task.Run(() => b.Play(right))).WaitAsync(ReliabilityHarness.Safety);

                // Every gate opens before anything is awaited: a job queued behind another thread's held job must not wait on it.
                a.ReleaseAll();
                b.ReleaseAll();
                var ended = new List<string>();
                ended.AddRange(await a.FinishAsync());
                ended.AddRange(await b.FinishAsync());

                WorkerPoolStats stats = pool.GetStats();
                Assert.DoesNotContain(ended, e => e.StartsWith("BAD", StringComparison.Ordinal));
                Assert.Equal(a.Dispatched + b.Dispatched, ended.Count);
                Assert.Equal(0, pool.PendingCount);
                Assert.Equal(0, stats.QueueDepth);
                Assert.Equal(0, stats.InFlight);
                Assert.Equal(ended.Count(e => e == "result"), stats.Completed);
                Assert.Equal(ended.Count(e => e == "canceled"), stats.Canceled);
                Assert.Equal(ended.Count(e => e == "crashed"), stats.Failed);
                Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);

                await pool.StopAsync(PoolShutdownMode.Drain).WaitAsync(ReliabilityHarness.Safety);
                Assert.Equal(0, inner.LiveWorkerCount);
            },
            iter: 150,
            threads: 1);

    /// <summary>Plays one thread's schedule. Its gates and tokens are its own; what it dispatched it awaits at the end.</summary>
    private sealed class Player(WorkerPool pool, FaultInjectingTransport transport)
    {
        private static int _nextValue;

        private readonly List<(Task Task, Gate? Gate, CancellationTokenSource? Cts, int Value)> _jobs = [];

        public int Dispatched => _jobs.Count;

        public void Play((Op Op, int Arg)[] schedule)
        {
            foreach ((Op op, int arg) in schedule)
            {
                switch (op)
                {
                    case Op.Dispatch:
                        // Inputs are unique: bystanders of crashes collect poison strikes, which must not add up here.
                        int value = Interlocked.Increment(ref _nextValue);
                        _jobs.Add((pool.DispatchAsync<AddOneJob, int, int>(value).AsTask(), null, null, value));
                        break;
                    case Op.DispatchHeld or Op.DispatchHeldCancelable:
                        Gate gate = Gate.Create();
                        CancellationTokenSource? cts = op == Op.DispatchHeldCancelable ? new CancellationTokenSource() : null;
                        _jobs.Add((pool.DispatchAsync<GateJob, string, string>(gate.Key, cts?.Token ?? default).AsTask(), gate, cts, arg));
                        break;
                    case Op.Cancel when _jobs.Count > 0:
                        _jobs[arg % _jobs.Count].Cts?.Cancel();
                        break;
                    case Op.Release when _jobs.Count > 0:
                        _jobs[arg % _jobs.Count].Gate?.Release.TrySetResult();
                        break;
                    case Op.Crash:
                        transport.Crash(arg % 2, "scheduled crash");
                        break;
                    case Op.CrashOnNextJob:
                        transport.CrashOnNextJob(arg % 2);
                        break;
                }
            }
        }

        public void ReleaseAll()
        {
            foreach ((Task _, Gate? gate, CancellationTokenSource? _, int _) in _jobs)
            {
                gate?.Release.TrySetResult();
            }
        }

        public async Task<List<string>> FinishAsync()
        {
            var ended = new List<string>();
            foreach ((Task task, Gate? gate, CancellationTokenSource? cts, int value) in _jobs)
            {
                string outcome;
                try
                {
                    await task.WaitAsync(ReliabilityHarness.Safety);
                    object result = task is Task<int> number ? number.Result : ((Task<string>)task).Result;
                    outcome = result.Equals(value + 1) || (gate is not null && ((string)result).StartsWith(gate.Key, StringComparison.Ordinal)) ? "result" : $"BAD result {result}";
                }
                catch (OperationCanceledException) when (cts is not null)
                {
                    outcome = "canceled";
                }
                catch (WorkerCrashedException)
                {
                    outcome = "crashed";
                }
                catch (Exception ex)
                {
                    outcome = $"BAD {ex.GetType().Name}: {ex.Message}";
                }

                ended.Add(outcome);
                cts?.Dispose();
            }

            return ended;
        }
    }
}
