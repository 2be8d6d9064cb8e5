namespace Awsm.Scheduler.Demo.Jobs;

/// <summary>
/// Renders one tile of the Mandelbrot set as RGB bytes (three per pixel, row by row), reporting the rows done as
/// <see cref="TileProgress"/>.
/// </summary>
public sealed class MandelbrotTileJob : IWorkerJob<TileRequest, byte[]>
{
    // A large escape radius makes the smooth (fractional) iteration count accurate, so colour bands blend.
    private const double EscapeRadiusSquared = 256.0 * 256.0;

    /// <summary>Gets the job with its input and output types, so that dispatch and registration name only the job.</summary>
    public static JobHandle<TileRequest, byte[]> Handle { get; } = JobHandle.For<MandelbrotTileJob, TileRequest, byte[]>();

    public static string Name => "demo.mandelbrot-tile";

    public static ValueTask<byte[]> ExecuteAsync(TileRequest input, JobContext context)
    {
        byte[] pixels = new byte[input.OutputLength];
        double step = input.ViewWidth / input.ImageWidth;
        double left = input.CenterRe - (step * input.ImageWidth / 2);
        double top = input.CenterIm + (step * input.ImageHeight / 2);

        CancellationToken cancellationToken = context.CancellationToken;
        for (int row = 0; row < input.Height; row++)
        {
            // Checked once per row: cheap, and a cancelled job stops within a fraction of a millisecond.
            // The job reports cancellation as a cancelled ValueTask instead of throwing: nothing is thrown on the
            // worker thread, and the worker runtime sees exactly the same outcome as from an async job.
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<byte[]>(cancellationToken);
            }

            double im = top - ((input.Y + row + 0.5) * step);
            Span<byte> line = pixels.AsSpan(row * input.Width * 3, input.Width * 3);
            for (int col = 0; col < input.Width; col++)
            {
                double re = left + ((input.X + col + 0.5) * step);
                double smooth = Escape(re, im, input.MaxIterations);
                Palette.Shade(smooth, line.Slice(col * 3, 3));
            }

            // A report per row costs little: the worker keeps only the latest value and sends at most one every
            // 50 ms (the first at once), so a fast tile sends one report and a slow one a few.
            context.ReportProgress(new TileProgress(context.WorkerIndex, row + 1));
        }

        return ValueTask.FromResult(pixels);
    }

    /// <summary>Returns the smooth escape count of c = re + i·im, or -1 when the point stays bounded.</summary>
    private static double Escape(double re, double im, int maxIterations)
    {
        double x = 0, y = 0, x2 = 0, y2 = 0;
        int n = 0;
        while (n < maxIterations && x2 + y2 <= EscapeRadiusSquared)
        {
            y = (2 * x * y) + im;
            x = x2 - y2 + re;
            x2 = x * x;
            y2 = y * y;
            n++;
        }

        if (n >= maxIterations)
        {
            return -1;
        }

        // Continuous colouring: n + 1 - log2(log|z|).
        double logModulus = Math.Log(x2 + y2) / 2;
        return n + 1 - Math.Log2(logModulus / Math.Log(2));
    }
}
