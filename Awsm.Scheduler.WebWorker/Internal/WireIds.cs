namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>Job ids cross to JS as numbers (no string formatting or parsing per message): exact up to 2^53.</summary>
internal static class WireIds
{
    /// <summary>The largest id a JS number holds exactly.</summary>
    public const long MaxExact = (1L << 53) - 1;

    /// <summary>Reads an id that came from JS: a positive integer within the exact range.</summary>
    public static bool TryGet(double value, out JobId id)
    {
        if (value >= 1 && value <= MaxExact && Math.Floor(value) == value)
        {
            id = new JobId((long)value);
            return true;
        }

        id = default;
        return false;
    }
}
