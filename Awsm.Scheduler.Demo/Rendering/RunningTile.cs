using Awsm.Scheduler.Demo.Jobs;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>
/// The progress of one dispatched tile, as its job reports it: which worker renders it and how many of its rows are
/// done. It counts as running from its first report until <see cref="End"/>; the display reads it from another thread.
/// </summary>
internal sealed class RunningTile(RenderProgress owner, int index, int rows) : IProgress<TileProgress>
{
    // Worker and rows packed into one long so that the display never sees the rows of one report with the worker of another.
    private long _state = -1;
    private int _ended;

    public int Index { get; } = index;

    public int Rows { get; } = rows;

    /// <summary>Gets the worker and rows of the latest report, or <see langword="null"/> before the first one.</summary>
    public TileProgress? Latest
    {
        get
        {
            long state = Volatile.Read(ref _state);
            return state < 0 ? null : new TileProgress((int)(state >> 32), (int)state);
        }
    }

    public void Report(TileProgress value)
    {
        // Reports are untrusted input (they may come over Redis from another process): keep them inside the tile.
        if (Volatile.Read(ref _ended) != 0 || value.WorkerIndex < 0 || value.RowsDone <= 0)
        {
            return;
        }

        long state = ((long)value.WorkerIndex << 32) | (uint)Math.Min(value.RowsDone, Rows);
        if (Interlocked.Exchange(ref _state, state) < 0)
        {
            owner.TileStarted(this);
            if (Volatile.Read(ref _ended) != 0)
            {
                owner.TileEnded(this); // End ran meanwhile and may have found nothing to remove
            }
        }
    }

    /// <summary>Marks the tile as no longer running; later reports are ignored.</summary>
    public void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            owner.TileEnded(this);
        }
    }
}
