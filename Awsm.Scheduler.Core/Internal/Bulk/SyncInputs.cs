namespace Awsm.Scheduler.Internal.Bulk;

/// <summary>A plain sequence seen as an async one: each move is the sequence's own, done at once, on the caller's thread.</summary>
internal sealed class SyncInputs<T>(IEnumerable<T> inputs) : IAsyncEnumerable<T>
{
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(inputs.GetEnumerator());

    private sealed class Enumerator(IEnumerator<T> inner) : IAsyncEnumerator<T>
    {
        public T Current => inner.Current;

        public ValueTask<bool> MoveNextAsync() => ValueTask.FromResult(inner.MoveNext());

        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
