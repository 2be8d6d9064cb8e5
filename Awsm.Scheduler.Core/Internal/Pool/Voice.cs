namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// One worker's voice as the writer hears it, packed in a <see langword="long"/> (<see cref="WorkerSlot.Voice"/>): the
/// incarnation the pool started last (the supervisor's start version) and its phase. Only that incarnation is heard; a
/// start's outcome moves the phase once (Starting → Ready or Dead, Ready → Dead); a dead incarnation is silent.
/// </summary>
internal static class Voice
{
    public const long Starting = 0;
    public const long Ready = 1;
    public const long Dead = 2;

    public static long Pack(int incarnation, long phase) => ((long)incarnation << 2) | phase;

    public static int IncarnationOf(long voice) => (int)(voice >> 2);

    public static long PhaseOf(long voice) => voice & 3;

    /// <summary>Moves <paramref name="incarnation"/> from one of the phases in <paramref name="fromMask"/> (bit per phase) to <paramref name="to"/>.</summary>
    /// <returns>Whether it moved: the incarnation was current and in one of those phases.</returns>
    public static bool TryMove(ref long voice, int incarnation, int fromMask, long to)
    {
        long seen = Volatile.Read(ref voice);
        while (IncarnationOf(seen) == incarnation && (fromMask & (1 << (int)PhaseOf(seen))) != 0)
        {
            long found = Interlocked.CompareExchange(ref voice, Pack(incarnation, to), seen);
            if (found == seen)
            {
                return true;
            }

            seen = found;
        }

        return false;
    }
}
