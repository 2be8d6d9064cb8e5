using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Awsm.Scheduler;

/// <summary>
/// A 64-bit job id, unique within a pool, starting at 1. Each transport carries it in its own medium (a number to a
/// browser worker, a decimal string in a Redis entry, the value itself in process): see <c>docs/wire.md</c>.
/// </summary>
/// <param name="Value">The numeric value.</param>
public readonly record struct JobId(long Value)
{
    /// <summary>Returns the decimal wire form of the id.</summary>
    /// <returns>The id as an invariant decimal string.</returns>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses the decimal wire form of an id.</summary>
    /// <param name="text">The text received from a worker; may be <see langword="null"/> or malformed.</param>
    /// <param name="id">The parsed id when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a positive decimal 64-bit integer.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out JobId id)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0)
        {
            id = new JobId(value);
            return true;
        }

        id = default;
        return false;
    }
}
