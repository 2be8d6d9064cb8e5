using System.Threading.Channels;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>
/// Wakes one reader loop: rung by a pub/sub message (something was written) and by a periodic timer (a pub/sub
/// message is at-most-once, so a missed ring costs at most one poll period, never a hang). Rings coalesce.
/// </summary>
internal sealed class Doorbell : IDisposable
{
    private readonly Channel<bool> _rings = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly ITimer _timer;

    public Doorbell(TimeProvider time, TimeSpan period)
    {
        _timer = time.CreateTimer(static state => ((Doorbell)state!).Ring(), this, period, period);
    }

    public void Ring() => _rings.Writer.TryWrite(true);

    /// <summary>Waits for the next ring; <see langword="false"/> once closed.</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (!await _rings.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _rings.Reader.TryRead(out _);
        return true;
    }

    public void Dispose()
    {
        _timer.Dispose();
        _rings.Writer.TryComplete();
    }
}
