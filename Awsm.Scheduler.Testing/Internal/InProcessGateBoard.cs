using System.Collections.Concurrent;

namespace Awsm.Scheduler.Testing.Internal;

/// <summary>Gates in this process's memory: one set of completion sources per key, made by whichever side comes first.</summary>
internal sealed class InProcessGateBoard : GateBoard
{
    private readonly ConcurrentDictionary<string, Entry> _gates = new(StringComparer.Ordinal);

    public override Task<int> WhenStarted(string key) => Get(key).Started.Task;

    public override void Release(string key) => Get(key).Released.TrySetResult();

    public override Task WhenTokenFired(string key) => Get(key).TokenFired.Task;

    public override void ReportStarted(string key, int workerIndex) => Get(key).Started.TrySetResult(workerIndex);

    public override Task WhenReleased(string key) => Get(key).Released.Task;

    public override void ReportTokenFired(string key) => Get(key).TokenFired.TrySetResult();

    private Entry Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _gates.GetOrAdd(key, static _ => new Entry());
    }

    private sealed class Entry
    {
        public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
