using System.Diagnostics;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>
/// Counters of one render, written by the loop that collects tiles and read by the display on another thread.
/// </summary>
internal sealed class RenderProgress(int total)
{
    private readonly Stopwatch _clock = new();
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
