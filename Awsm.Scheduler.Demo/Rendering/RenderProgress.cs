using System.Collections.Concurrent;
using System.Diagnostics;
using Awsm.Scheduler.Demo.Jobs;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>
/// Counters of one render, written by the loop that collects tiles (and by the tiles' progress reports) and read by the
/// display on another thread.
/// </summary>
internal sealed class RenderProgress(int total)
{
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentDictionary<int, RunningTile> _running = new();
    private int _completed;
    private int _failed;
    private int _canceled;
    private long _pixels;

    public int Total { get; } = total;

    public int Completed => Volatile.Read(ref _completed);

    public int Failed => Volatile.Read(ref _failed);

    public int Canceled => Volatile.Read(ref _canceled);

    public long Pixels => Interlocked.Read(ref _pixels);

    public int Ended => Completed + Failed + Canceled;

    public Exception? FirstError { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Creates the progress receiver of one tile; it is listed as running from its first report until it ends.</summary>
    public RunningTile Track(int index, TileRequest tile) => new(this, index, tile.Height);

    /// <summary>Gets the latest report of every tile that has reported and not yet ended, in tile order.</summary>
    public IReadOnlyList<(RunningTile Tile, TileProgress Progress)> RunningTiles() =>
        [.. _running.Values
            .Select(t => (Tile: t, Progress: t.Latest))
            .Where(t => t.Progress is not null)
            .Select(t => (t.Tile, t.Progress!.Value))
            .OrderBy(t => t.Tile.Index)];

    internal void TileStarted(RunningTile tile) => _running[tile.Index] = tile;

    internal void TileEnded(RunningTile tile) => _running.TryRemove(tile.Index, out _);

    public void Start() => _clock.Start();

    public void Stop() => _clock.Stop();

    public void TileCompleted(long pixels)
    {
        Interlocked.Add(ref _pixels, pixels);
        Interlocked.Increment(ref _completed);
    }

    public void TileCanceled() => Interlocked.Increment(ref _canceled);

    public void TileFailed(Exception error)
    {
        FirstError ??= error;
        Interlocked.Increment(ref _failed);
    }
}
