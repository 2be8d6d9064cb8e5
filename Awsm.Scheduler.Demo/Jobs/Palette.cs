namespace Awsm.Scheduler.Demo.Jobs;

/// <summary>Maps a smooth escape count to a colour: deep blue, white, gold, near black, repeating.</summary>
internal static class Palette
{
    // Control points (position in [0, 1), R, G, B); the gradient wraps around from the last to the first.
    private static readonly (double At, double R, double G, double B)[] Stops =
    [
        (0.0000, 0, 7, 100),
        (0.1600, 32, 107, 203),
        (0.4200, 237, 255, 255),
        (0.6425, 255, 170, 0),
        (0.8575, 0, 2, 0),
    ];

    public static void Shade(double smoothCount, Span<byte> rgb)
    {
        if (smoothCount < 0)
        {
            // Inside the set.
            rgb[0] = rgb[1] = rgb[2] = 0;
            return;
        }

        // The square root compresses the count so that bands near the set do not turn into noise.
        double t = Math.Sqrt(Math.Max(smoothCount, 0)) * 0.11;
        t -= Math.Floor(t);

        int i = Stops.Length - 1;
        while (Stops[i].At > t)
        {
            i--;
        }

        var from = Stops[i];
        var to = i + 1 < Stops.Length ? Stops[i + 1] : (At: 1.0, Stops[0].R, Stops[0].G, Stops[0].B);
        double f = (t - from.At) / (to.At - from.At);
        rgb[0] = Lerp(from.R, to.R, f);
        rgb[1] = Lerp(from.G, to.G, f);
        rgb[2] = Lerp(from.B, to.B, f);
    }

    private static byte Lerp(double a, double b, double f) => (byte)Math.Clamp(a + ((b - a) * f) + 0.5, 0, 255);
}
