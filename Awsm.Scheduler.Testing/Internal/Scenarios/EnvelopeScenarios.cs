using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Malformed, stale, duplicate and wrong-worker envelopes (DESIGN.md section 3): dropped, never faulting the pool.</summary>
internal static class EnvelopeScenarios
{
    private static readonly (string Kind, string? Id)[] Hostile =
    [
        ("bogus-kind", "1000"),
        (WireProtocol.ResultKind, "not-a-number"),
        (WireProtocol.ResultKind, null),
        (WireProtocol.ResultKind, "-5"),
        (WireProtocol.ResultKind, "99999999999"),
        (WireProtocol.ErrorKind, "1000"),
        (WireProtocol.ResultKind, "1000"),
    ];

    public static async Task DispatchAsync_MalformedOrStaleEnvelopes_AreDroppedAndPoolStaysHealthy(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        int alive = p.Pool.GetStats().Workers.Count;

        for (int i = 0; i < Hostile.Length; i++)
        {
            (string kind, string? id) = Hostile[i];
            p.Faults.InjectEnvelope(0, kind, id, new byte[] { 1, 2, 3 });
            p.Faults.InjectEnvelope(7, WireProtocol.ResultKind, "1000");

            Check.Equal(42, await p.AddOne(41));
            WorkerPoolStats stats = p.Pool.GetStats();
            Check.Equal(i + 1, stats.Completed);
            Check.Equal(0, stats.Failed);
            Check.Equal(alive, stats.WorkersAlive);
        }
    }

    public static async Task DispatchAsync_DuplicateReplyForAJob_FirstWinsAndTheJobEndsOnce(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        ConformanceGate gate = c.NewGate();
        Task<string> job = p.Gate(gate);
        await gate.Started();

        string id = p.Faults.LastJobSentTo(0)!.Value.ToString();
        p.Faults.InjectEnvelope(0, WireProtocol.ErrorKind, id, default, "job-failed", "Forged", "first reply wins");
        var error = await Check.ThrowsAsync<JobFailedException>(() => job);
        gate.Release();

        Check.Equal("Forged", error.RemoteType);
        Check.Equal(1, await p.AddOne(0));
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(1, stats.Failed);
        Check.Equal(1, stats.Completed);
        Check.Equal(0, stats.Pending);
    }

    public static async Task DispatchAsync_ReplyFromAnotherWorker_IsDropped(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate gate = c.NewGate();
        Task<string> job = p.Gate(gate);
        int worker = await gate.Started();

        p.Faults.InjectEnvelope(1 - worker, WireProtocol.ErrorKind, p.Faults.LastJobSentTo(worker)!.Value.ToString(), default, "job-failed", "Forged", "wrong worker");
        gate.Release();

        Check.EndsWith($"@{worker}", await job);
    }
}
