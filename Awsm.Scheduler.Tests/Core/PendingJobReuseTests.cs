using System.Collections.Concurrent;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// A <see cref="PendingJob{TOutput}"/> is reused for a later dispatch once its caller took the result (issue
/// "Performance", round 2). Everything that can still reach an ended job (its timer and token callbacks, the queue,
/// late replies, crash and abort sweeps) names the generation it was given; these tests try to reach a later
/// generation through an earlier one, directly and under storms of results, cancels, timeouts and crashes.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class PendingJobReuseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Rent_AfterTheCallerTookTheResult_ReusesTheInstanceAndEveryCallWithTheOldGenerationChangesNothing()
    {
        var decoder = new Int32Decoder();
        PendingJob<int> first = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(1), 0, decoder, progress: null);
        long old = first.Generation;
        Assert.True(MarkSent(first, old, 0, 1, releasePayload: false));
        Assert.True(first.TryMarkDone(old, out bool wasSent));
        Assert.True(wasSent);
        Assert.Null(first.TryDecodeOutput(JobPayload.FromValue(2)));
        first.SetDecodedResult();
        Assert.Equal(2, await first.Task);

        // Same thread, next dispatch: the spare is reused as a new generation.
        PendingJob<int> second = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(10), 0, decoder, progress: null);
        Assert.Same(first, second);
        long current = second.Generation;
        Assert.NotEqual(old, current);

        // Whatever still holds the old generation (a timer, a token callback, a sweep, a late reply) reaches nothing.
        Assert.True(second.IsDone(old));
        Assert.False(second.TryMarkDone(old, out _));
        Assert.False(MarkSent(second, old, 1, 5, releasePayload: true));
        Assert.Equal(-1, SentWorker(second, old));
        Assert.False(second.TryReadInput(old, out _, out _));

        // The new generation is untouched: still queued, its input intact, claimable once.
        Assert.False(second.IsDone(current));
        Assert.True(second.TryReadInput(current, out string name, out JobPayload input));
        Assert.Equal(("reuse.job", 10), (name, (int)input.Value!));
        Assert.True(MarkSent(second, current, 1, 5, releasePayload: true));
        Assert.Equal(1, SentWorker(second, current));
        Assert.True(second.TryMarkDone(current, out wasSent));
        Assert.True(wasSent);
        Assert.False(second.TryMarkDone(current, out _));
        second.SetException(new InvalidOperationException("ended"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.Task);
    }

    [Fact]
    public async Task GetResult_SecondAwaitOfAConsumedValueTask_ThrowsAndDoesNotRecycleTheNextDispatch()
    {
        var decoder = new Int32Decoder();
        PendingJob<int> job = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(1), 0, decoder, progress: null);
        ValueTask<int> consumed = job.Task;
        Complete(job, 7);
        Assert.Equal(7, await consumed);

        PendingJob<int> next = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(2), 0, decoder, progress: null);
        Assert.Same(job, next);
        ValueTask<int> live = next.Task;

        // Misuse: the old value task awaited again. It throws, and must not hand the instance out again.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await consumed);
        PendingJob<int> other = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(3), 0, decoder, progress: null);
        Assert.NotSame(next, other);

        Complete(next, 9);
        Assert.Equal(9, await live);
    }

    [Fact]
    public async Task Rent_JobWithAProgressListener_IsNeverReused()
    {
        var decoder = new Int32Decoder();
        var route = new ProgressRoute(null!, new object());
        PendingJob<int> job = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(1), 0, decoder, route);
        ValueTask<int> task = job.Task;
        Complete(job, 1);
        Assert.Equal(1, await task);

        PendingJob<int> next = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(2), 0, decoder, progress: null);
        Assert.NotSame(job, next);
        Assert.Null(next.Progress);
    }

    [Fact]
    public async Task TryMarkDone_StaleClaimsRaceTheReuseOnManyThreads_OnlyTheCurrentGenerationIsEverClaimed()
    {
        const int rounds = 5_000;
        var decoder = new Int32Decoder();
        PendingJob<int>? shared = null;
        long sharedGeneration = -1;
        long staleWins = 0;
        using var stop = new CancellationTokenSource();

        // Late paths: they keep an (instance, generation) pair from an earlier round and try every transition with it.
        Thread[] stale = [.. Enumerable.Range(0, 3).Select(n => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                PendingJob<int>? job = Volatile.Read(ref shared);
                long generation = Volatile.Read(ref sharedGeneration) - 1;
                if (job is null || generation < 0)
                {
                    continue;
                }

                if (job.TryMarkDone(generation, out _) || MarkSent(job, generation, 0, 0, releasePayload: true) || SentWorker(job, generation) >= 0)
                {
                    Interlocked.Increment(ref staleWins);
                }
            }
        })
        { IsBackground = true })];
        foreach (Thread thread in stale)
        {
            thread.Start();
        }

        try
        {
            for (int i = 0; i < rounds; i++)
            {
                PendingJob<int> job = PendingJob<int>.Rent("reuse.job", JobPayload.FromValue(i), 0, decoder, progress: null);
                long generation = job.Generation;
                Volatile.Write(ref shared, job);
                Volatile.Write(ref sharedGeneration, generation);
                ValueTask<int> task = job.Task;

                // The current generation's own paths: a send, then a result and a timeout racing for the claim.
                Assert.True(MarkSent(job, generation, 1, 0, releasePayload: false), $"round {i}: a stale path took the send");
                int winners = 0;
                Parallel.Invoke(
                    () =>
                    {
                        if (job.TryMarkDone(generation, out _))
                        {
                            Interlocked.Increment(ref winners);
                            Assert.Null(job.TryDecodeOutput(JobPayload.FromValue(i + 1)));
                            job.SetDecodedResult();
                        }
                    },
                    () =>
                    {
                        if (job.TryMarkDone(generation, out _))
                        {
                            Interlocked.Increment(ref winners);
                            job.SetException(new TimeoutException());
                        }
                    });
                Assert.Equal(1, winners);
                try
                {
                    Assert.Equal(i + 1, await task);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        finally
        {
            stop.Cancel();
            foreach (Thread thread in stale)
            {
                Assert.True(thread.Join(HangGuard));
            }
        }

        Assert.Equal(0, Interlocked.Read(ref staleWins));
    }

    [Theory]
    [InlineData(InProcThreading.ThreadPool)]
    [InlineData(InProcThreading.Adaptive)]
    public async Task DispatchAsync_StormOfResultsCancelsTimeoutsAndCrashes_EveryCallerGetsItsOwnOutcomeExactlyOnce(InProcThreading threading)
    {
        int seed = ReliabilityStorms.Seed();
        output.WriteLine($"threading {threading}, seed {seed} (replay with AWSM_SOAK_SEED={seed})");
        using var unobserved = new UnobservedTaskExceptions();
        const int callers = 8;
        const int perCaller = 1_500;
        var inner = new InProcTransport(new InProcTransportOptions { Mode = InProcPayloadMode.ByReference, Threading = threading });
        var transport = new FaultInjectingTransport(inner);
        var registry = new JobRegistry().Add<SpinningJob, int, int>(Int32(), Int32());
        await using var pool = new WorkerPool(
            transport,
            registry,
            new WorkerPoolOptions
            {
                WorkerCount = 2,
                JobTimeout = TimeSpan.FromMilliseconds(1),
                RespawnInitialDelay = TimeSpan.Zero,
                MaxRespawnAttempts = int.MaxValue,
                PoisonJobThreshold = 0,
            },
            TimeProvider.System);
        await pool.StartAsync().WaitAsync(HangGuard);

        var outcomes = new ConcurrentDictionary<string, int>();
        long wrong = 0;
        string? firstWrong = null;
        using var stopChaos = new CancellationTokenSource();
        Task chaos = Task.Run(async () =>
        {
            var random = new Random(seed);
            while (!stopChaos.IsCancellationRequested)
            {
                // Crash sweeps while jobs are in flight; each crash fails what the worker held.
                await Task.Yield();
                if (random.Next(2_000) == 0)
                {
                    transport.Crash(random.Next(2));
                }
            }
        });

        Task[] loops = [.. Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var random = new Random(seed + c);
            for (int i = 0; i < perCaller; i++)
            {
                // Unique inputs: an output that belongs to another dispatch cannot go unnoticed.
                int input = (c * perCaller * 8) + (i * 8) + random.Next(8);
                using var cts = new CancellationTokenSource();
                bool withToken = random.Next(3) == 0;
                ValueTask<int> pending = pool.DispatchAsync<SpinningJob, int, int>(input, withToken ? cts.Token : CancellationToken.None);
                if (withToken)
                {
                    // The cancel races the result, the timeout and the send, from another thread.
                    ThreadPool.UnsafeQueueUserWorkItem(static s => CancelQuietly(s), cts, preferLocal: false);
                }

                string outcome;
                try
                {
                    int result = await pending.AsTask().WaitAsync(HangGuard);
                    outcome = result == input + 1 ? "completed" : $"wrong result {result} for input {input}";
                }
                catch (OperationCanceledException) when (withToken)
                {
                    outcome = "canceled";
                }
                catch (JobTimeoutException)
                {
                    outcome = "timed out";
                }
                catch (WorkerCrashedException)
                {
                    outcome = "crashed";
                }
                catch (Exception ex)
                {
                    outcome = $"unexpected {ex.GetType().Name}: {ex.Message}";
                }

                if (outcome.StartsWith("wrong", StringComparison.Ordinal) || outcome.StartsWith("unexpected", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref wrong);
                    Interlocked.CompareExchange(ref firstWrong, outcome, null);
                }

                outcomes.AddOrUpdate(outcome.StartsWith("wrong", StringComparison.Ordinal) ? "wrong" : outcome, 1, static (_, n) => n + 1);
            }
        }))];

        await Task.WhenAll(loops).WaitAsync(HangGuard);
        await stopChaos.CancelAsync();
        await chaos.WaitAsync(HangGuard);
        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));

        Assert.True(Interlocked.Read(ref wrong) == 0, firstWrong);
        Assert.Equal(callers * perCaller, outcomes.Values.Sum());
        Assert.True(outcomes.GetValueOrDefault("completed") > 0, "no dispatch completed: the storm exercised nothing");
        Assert.True(outcomes.GetValueOrDefault("canceled") + outcomes.GetValueOrDefault("timed out") > 0, "no dispatch ended on the host side: the late paths were not exercised");
        Assert.Equal(0, pool.PendingCount);
        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(stats.Dispatched, stats.Completed + stats.Failed + stats.Canceled + stats.TimedOut);
        Assert.Equal(outcomes.GetValueOrDefault("completed"), stats.Completed);
        unobserved.AssertNone($"threading {threading}, seed {seed}");
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The caller already had its outcome and disposed the source.
        }
    }

    private static void Complete(PendingJob<int> job, int output)
    {
        long generation = job.Generation;
        Assert.True(job.TryMarkDone(generation, out _));
        Assert.Null(job.TryDecodeOutput(JobPayload.FromValue(output)));
        job.SetDecodedResult();
    }

    private static JobCodec<int> Int32() => JobCodecs.Json(TestJsonContext.Default.Int32);

    private sealed class Int32Decoder : IJobOutputDecoder<int>
    {
        public int DecodeOutput(JobPayload payload) => (int)payload.Value!;
    }

    /// <summary>Sends generation <paramref name="generation"/> as the dispatcher does: Sending, the send written, Sent.</summary>
    private static bool MarkSent(PendingJob job, long generation, int worker, long timestamp, bool releasePayload)
    {
        if (!job.TryBeginSend(generation))
        {
            return false;
        }

        job.SetSent(new JobId(generation + 1), worker, timestamp, releasePayload);
        job.EndSending(generation);
        return true;
    }

    /// <summary>The worker generation <paramref name="generation"/> was sent to, or -1 if it is not (or no longer) sent.</summary>
    private static int SentWorker(PendingJob job, long generation) =>
        job.TryMatchSent(job.Id, out long current) && current == generation ? job.WorkerIndex : -1;

    /// <summary>Returns its input + 1; inputs ending in 7 spin for about the job timeout, so results race timers.</summary>
    private sealed class SpinningJob : IWorkerJob<int, int>
    {
        public static string Name => "reuse.spinning";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            if (input % 8 == 7)
            {
                Thread.SpinWait(20_000);
            }

            return ValueTask.FromResult(input + 1);
        }
    }
}
