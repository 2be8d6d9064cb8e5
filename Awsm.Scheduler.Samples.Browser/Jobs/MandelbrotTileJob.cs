using System.Diagnostics;

namespace Awsm.Scheduler.Samples.Browser.Jobs;

/// <summary>
/// Computes one tile of the Mandelbrot set as RGBA pixels (a raw byte[] output: transferred, never base64), reporting the
/// fraction of its rows done (0 to 1) as it goes. A web worker is single-threaded: the runtime's coalescing timer (which
/// sends the latest report) and the cancel envelope only get their turn between tasks, so a long tile yields to the
/// worker's event loop every ~50 ms of work.
/// </summary>
public sealed class MandelbrotTileJob : IWorkerJob<TileRequest, byte[]>
{
    /// <summary>The side of the square worker marker in each tile's top-left corner, in pixels.</summary>
    public const int MarkerSize = 4;

    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc />
    public static string Name => "mandelbrot-tile";

    /// <inheritdoc />
    public static async ValueTask<byte[]> ExecuteAsync(TileRequest input, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        var pixels = new byte[input.Width * input.Height * 4];
        long sliceStart = Stopwatch.GetTimestamp();
        for (int py = 0; py < input.Height; py++)
        {
            if (Stopwatch.GetElapsedTime(sliceStart) >= Slice)
            {
                await Task.Yield();
                sliceStart = Stopwatch.GetTimestamp();
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            RenderRow(input, py, pixels);

            // A report per row is cheap: the runtime keeps the latest and sends at most one per interval (the first at once).
            context.ReportProgress((double)(py + 1) / input.Height);
        }

        if (context.WorkerIndex >= 0)
        {
            MarkWorker(pixels, input.Width, input.Height, context.WorkerIndex);
        }

        return pixels;
    }

    /// <summary>Renders a tile; also used on the page to check what the workers computed.</summary>
    /// <param name="t">The tile.</param>
    /// <param name="worker">The worker index, shown as a small marker in the tile's corner; -1 for none.</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    /// <returns>Width × Height × 4 bytes.</returns>
    public static byte[] Render(TileRequest t, int worker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(t);
        var pixels = new byte[t.Width * t.Height * 4];
        for (int py = 0; py < t.Height; py++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RenderRow(t, py, pixels);
        }

        if (worker >= 0)
        {
            MarkWorker(pixels, t.Width, t.Height, worker);
        }

        return pixels;
    }

    private static void RenderRow(TileRequest t, int py, byte[] pixels)
    {
        double left = t.CenterRe - (t.CanvasWidth / 2.0 * t.PixelSize);
        double top = t.CenterIm - (t.CanvasHeight / 2.0 * t.PixelSize);
        double ci = top + ((t.Y + py) * t.PixelSize);
        for (int px = 0; px < t.Width; px++)
        {
            double cr = left + ((t.X + px) * t.PixelSize);
            double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
            int n = 0;
            while (n < t.MaxIterations && zr2 + zi2 <= 4)
            {
                zi = (2 * zr * zi) + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                n++;
            }

            int o = ((py * t.Width) + px) * 4;
            if (n >= t.MaxIterations)
            {
                pixels[o + 3] = 255; // inside: black
                continue;
            }

            // smooth colouring through a cyclic cosine palette
            double mu = n + 1 - (Math.Log(Math.Log(Math.Sqrt(zr2 + zi2))) / Math.Log(2));
            double c = Math.Sqrt(Math.Max(mu, 0)) * 0.35;
            pixels[o] = (byte)(127.5 * (1 + Math.Cos(6.2832 * (c + 0.00))));
            pixels[o + 1] = (byte)(127.5 * (1 + Math.Cos(6.2832 * (c + 0.15))));
            pixels[o + 2] = (byte)(127.5 * (1 + Math.Cos(6.2832 * (c + 0.25))));
            pixels[o + 3] = 255;
        }
    }

    private static void MarkWorker(byte[] pixels, int width, int height, int worker)
    {
        ReadOnlySpan<uint> palette = [0xE6194Bu, 0x3CB44Bu, 0xFFE119u, 0x4363D8u, 0xF58231u, 0x911EB4u, 0x46F0F0u, 0xF032E6u];
        uint rgb = palette[worker % palette.Length];
        for (int y = 0; y < Math.Min(MarkerSize, height); y++)
        {
            for (int x = 0; x < Math.Min(MarkerSize, width); x++)
            {
                int o = ((y * width) + x) * 4;
                pixels[o] = (byte)(rgb >> 16);
                pixels[o + 1] = (byte)(rgb >> 8);
                pixels[o + 2] = (byte)rgb;
                pixels[o + 3] = 255;
            }
        }
    }
}
