using System.Runtime.Versioning;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>
/// One tile's progress on the page: the fraction of its rows the worker reported done, shown as the tile's bar (its
/// <c>data-state</c> and <c>data-progress</c> in the DOM). Reports only move forward, and none counts once the tile ended.
/// </summary>
[SupportedOSPlatform("browser")]
internal sealed class TileProgress(int index) : IProgress<double>
{
    private double _value;
    private bool _ended;

    /// <inheritdoc />
    public void Report(double value)
    {
        // The value comes from a worker: untrusted. Ignore what is not a number; clamp the rest to [last, 1].
        if (_ended || !double.IsFinite(value))
        {
            return;
        }

        _value = Math.Clamp(value, _value, 1);
        PageJs.SetTile(index, "running", _value);
    }

    /// <summary>The tile is painted: it shows done, and later reports (none should come) are ignored.</summary>
    public void Done() => End("done", 1);

    /// <summary>The tile's dispatch failed: its bar is cleared.</summary>
    public void Failed() => End("failed", 0);

    private void End(string state, double value)
    {
        _ended = true;
        _value = value;
        PageJs.SetTile(index, state, value);
    }
}
