using System.Collections.Concurrent;
using System.Runtime.Versioning;
using Awsm.Scheduler.Testing;

namespace Awsm.Scheduler.Samples.Browser.Conformance;

/// <summary>
/// The conformance gates across the page/worker boundary: the page (scenario side) and every worker (job side) each
/// open one over the same <c>BroadcastChannel</c>. Each runtime keeps its own view of every gate and broadcasts what it
/// reports: <c>started</c> (with the worker index) and <c>token</c> from workers, <c>release</c> from the page. A worker
/// that asks for a gate released before it existed (a respawned worker, a job that reached its worker late) broadcasts
/// <c>ask</c>, and the page answers with <c>release</c> again.
/// </summary>
/// <remarks>Messages from the channel are untrusted: unknown types, over-long keys and negative worker indexes are ignored.</remarks>
[SupportedOSPlatform("browser")]
internal sealed class BroadcastGateBoard : GateBoard
{
    private const string ChannelName = "awsm-conformance-gates";
    private const int MaxKeyLength = 64;

    private static readonly Lock OpenGate = new();
    private static Task<BroadcastGateBoard>? s_open;

    private readonly ConcurrentDictionary<string, Entry> _gates = new(StringComparer.Ordinal);

    private BroadcastGateBoard()
    {
    }

    /// <summary>Opens this runtime's board (once; later calls return the same board).</summary>
    /// <returns>The board.</returns>
    public static Task<BroadcastGateBoard> OpenAsync()
    {
        lock (OpenGate)
        {
            return s_open is { IsFaulted: false, IsCanceled: false } ? s_open : s_open = OpenCoreAsync();
        }
    }

    public override Task<int> WhenStarted(string key) => Get(key).Started.Task;

    public override void Release(string key)
    {
        Get(key).Released.TrySetResult();
        ConformanceJs.PostGate("release", key, -1);
    }

    public override Task WhenTokenFired(string key) => Get(key).TokenFired.Task;

    public override void ReportStarted(string key, int workerIndex)
    {
        Get(key).Started.TrySetResult(workerIndex);
        ConformanceJs.PostGate("started", key, workerIndex);
    }

    public override Task WhenReleased(string key)
    {
        Entry entry = Get(key);
        if (!entry.Released.Task.IsCompleted && Interlocked.Exchange(ref entry.Asked, 1) == 0)
        {
            ConformanceJs.PostGate("ask", key, -1);
        }

        return entry.Released.Task;
    }

    public override void ReportTokenFired(string key)
    {
        Get(key).TokenFired.TrySetResult();
        ConformanceJs.PostGate("token", key, -1);
    }

    private static async Task<BroadcastGateBoard> OpenCoreAsync()
    {
        await ConformanceJs.EnsureImportedAsync();
        var board = new BroadcastGateBoard();
        ConformanceJs.OpenGates(ChannelName, board.OnMessage);
        return board;
    }

    private void OnMessage(string type, string key, int worker)
    {
        if (key.Length is 0 or > MaxKeyLength)
        {
            return;
        }

        switch (type)
        {
            case "started" when worker >= 0:
                Get(key).Started.TrySetResult(worker);
                break;
            case "token":
                Get(key).TokenFired.TrySetResult();
                break;
            case "release":
                Get(key).Released.TrySetResult();
                break;
            case "ask" when _gates.TryGetValue(key, out Entry? entry) && entry.Released.Task.IsCompleted:
                ConformanceJs.PostGate("release", key, -1);
                break;
            default:
                break;
        }
    }

    private Entry Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _gates.GetOrAdd(key, static _ => new Entry());
    }

    private sealed class Entry
    {
        // A field, for Interlocked: whether this runtime asked the others for the release yet.
        public int Asked;

        public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
