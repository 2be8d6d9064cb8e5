namespace Awsm.Scheduler.Samples.Browser.Jobs;

/// <summary>Computes one tile of the Mandelbrot set as RGBA pixels (a raw byte[] output: transferred, never base64).</summary>
public sealed class MandelbrotTileJob : IWorkerJob<TileRequest, byte[]>
{
    /// <inheritdoc />
    public static string Name => "mandelbrot-tile";

    /// <inheritdoc />
    public static ValueTask<byte[]> ExecuteAsync(TileRequest input, JobContext context) => ValueTask.FromResult(Render(input, context.WorkerIndex, context.CancellationToken));

    /// <summary>Renders a tile; also used on the page to check what the workers computed.</summary>
    /// <param name="t">The tile.</param>
    /// <param name="worker">The worker index, shown as a small marker in the tile's corner; -1 for none.</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    /// <returns>Width × Height × 4 bytes.</returns>
    public static byte[] Render(TileRequest t, int worker, CancellationToken cancellationToken = default)
    {
        var pixels = new byte[t.Width * t.Height * 4];
        double left = t.CenterRe - (t.CanvasWidth / 2.0 * t.PixelSize);
        double top = t.CenterIm - (t.CanvasHeight / 2.0 * t.PixelSize);
        for (int py = 0; py < t.Height; py++)
        {
            cancellationToken.ThrowIfCancellationRequested();
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

        if (worker >= 0)
        {
            MarkWorker(pixels, t.Width, t.Height, worker);
        }

        return pixels;
    }

    private static void MarkWorker(byte[] pixels, int width, int height, int worker)
    {
        ReadOnlySpan<uint> palette = [0xE6194Bu, 0x3CB44Bu, 0xFFE119u, 0x4363D8u, 0xF58231u, 0x911EB4u, 0x46F0F0u, 0xF032E6u];
        uint rgb = palette[worker % palette.Length];
        for (int y = 0; y < Math.Min(4, height); y++)
        {
            for (int x = 0; x < Math.Min(4, width); x++)
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
