using Awsm.Scheduler.Demo.Imaging;
using Awsm.Scheduler.Demo.Jobs;
using Awsm.Scheduler.Demo.Rendering;
using Awsm.Scheduler.Demo.Ui;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Transport;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Awsm.Scheduler.Demo.Cli;

/// <summary>Renders the Mandelbrot set tile by tile on a pool of in-process workers and writes a PNG.</summary>
internal sealed class RenderCommand : AsyncCommand<RenderSettings>
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitCanceled = 130; // the shell convention for "terminated by Ctrl+C"

    // The classic full view: the whole set, with a little margin, in a square frame.
    private const double CenterRe = -0.75;
    private const double CenterIm = 0.0;
    private const double ViewWidth = 3.0;

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);

    public override async Task<int> ExecuteAsync(CommandContext context, RenderSettings settings)
    {
        using var cancel = new CancellationTokenSource();

        // The first Ctrl+C cancels the outstanding dispatches and lets the run wind down (pool disposed, summary
        // printed); a second one is not intercepted, so an impatient user can still kill the process.
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        }

        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            return await RunAsync(settings, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Cancelled before any tile was dispatched (e.g. while the workers were starting).
            AnsiConsole.MarkupLine("[yellow]Cancelled.[/]");
            return ExitCanceled;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }

    private static async Task<int> RunAsync(RenderSettings settings, CancellationToken cancellationToken)
    {
        int size = settings.Size;
        IReadOnlyList<TileRequest> tiles = TileLayout.Create(size, settings.Jobs, settings.Iterations, CenterRe, CenterIm, ViewWidth);
        (int rows, int columns) = TileLayout.Grid(settings.Jobs);
        string title = $"Mandelbrot {size}×{size} · {rows}×{columns} tiles · {settings.Iterations} it · " +
                       $"{settings.WorkerCount} workers · {settings.NormalizedStrategy} · {settings.NormalizedMode}";

        // The registry must know the job on both sides; with the in-process transport both sides share it, worker
        // hosts (Awsm.Scheduler.Samples.WorkerHost) register the same DemoJobs set.
        var registry = new JobRegistry();
        DemoJobs.Register(registry);
        IWorkerTransport transport = settings.UsesRedis
            ? new RedisTransport(new RedisTransportOptions { Configuration = settings.Redis })
            : new InProcTransport(new InProcTransportOptions { Mode = settings.PayloadMode });
        Func<int, string?>? hostOf = transport is RedisTransport redis ? redis.GetWorkerHost : null;
        var options = new WorkerPoolOptions
        {
            Name = DemoJobs.PoolName,
            WorkerCount = settings.WorkerCount,
            MaxInFlightPerWorker = settings.MaxInFlight,
            Strategy = settings.CreateStrategy(),
        };

        await using var pool = new WorkerPool(transport, registry, options);
        await pool.StartAsync(cancellationToken);

        var image = new ImageBuffer(size, size);
        var progress = new RenderProgress(tiles.Count);
        bool interactive = AnsiConsole.Profile.Capabilities.Interactive;

        if (interactive)
        {
            await RenderLiveAsync(pool, tiles, image, progress, title, hostOf, cancellationToken);
        }
        else
        {
            await RenderPlainAsync(pool, tiles, image, progress, title, hostOf, cancellationToken);
        }

        // One snapshot for the summary, taken before the pool is disposed.
        WorkerPoolStats stats = pool.GetStats();

        string outcome;
        string? outputPath = null;
        int exitCode;
        if (progress.Failed > 0)
        {
            outcome = $"[red]failed[/] ({progress.Failed} tile(s))";
            exitCode = ExitFailed;
        }
        else if (progress.Canceled > 0 || cancellationToken.IsCancellationRequested)
        {
            outcome = "[yellow]cancelled[/] (Ctrl+C)";
            exitCode = ExitCanceled;
        }
        else
        {
            outputPath = settings.OutputPath;
            PngWriter.WriteRgb(outputPath, size, size, image.Rgb);
            outcome = "[green]complete[/]";
            exitCode = ExitOk;
        }

        AnsiConsole.WriteLine();
        if (!interactive)
        {
            AnsiConsole.Write(Dashboard.WorkerTable(stats, progress.Total, hostOf));
        }

        AnsiConsole.Write(Dashboard.Summary(new RenderSummary(
            outcome, progress, stats, progress.Elapsed, progress.Pixels, settings.NormalizedStrategy, settings.NormalizedMode, outputPath)));

        if (progress.FirstError is { } error)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]First error:[/] {error.GetType().Name}: {error.Message}");
        }

        return exitCode;
    }

    private static async Task RenderLiveAsync(
        WorkerPool pool, IReadOnlyList<TileRequest> tiles, ImageBuffer image, RenderProgress progress, string title, Func<int, string?>? hostOf, CancellationToken cancellationToken)
    {
        // The thumbnail needs Unicode half blocks and about 40 columns beside the table.
        PreviewThumbnail? preview = AnsiConsole.Profile.Capabilities.Unicode && AnsiConsole.Profile.Width >= 110
            ? new PreviewThumbnail(image, Math.Clamp(AnsiConsole.Profile.Height - 8, 16, 32) / 2 * 2)
            : null;

        await AnsiConsole.Live(Dashboard.LiveFrame(title, progress, pool.GetStats(), preview, hostOf))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async live =>
            {
                Task render = TileRenderer.RenderAsync(pool, tiles, image, progress, preview is null ? null : preview.OnTileDone, cancellationToken);
                while (!render.IsCompleted)
                {
                    live.UpdateTarget(Dashboard.LiveFrame(title, progress, pool.GetStats(), preview, hostOf));
                    await Task.WhenAny(render, Task.Delay(RefreshInterval, CancellationToken.None));
                }

                // Last frame shows the final counts; it stays on screen because AutoClear is off.
                live.UpdateTarget(Dashboard.LiveFrame(title, progress, pool.GetStats(), preview, hostOf));
                await render;
            });
    }

    private static async Task RenderPlainAsync(
        WorkerPool pool, IReadOnlyList<TileRequest> tiles, ImageBuffer image, RenderProgress progress, string title, Func<int, string?>? hostOf, CancellationToken cancellationToken)
    {
        // Redirected output (CI, pipes): no cursor movement, so print a line at every tenth of the way instead.
        AnsiConsole.WriteLine(title);
        int lastDecile = 0;
        void OnTileDone(TileRequest tile)
        {
            int decile = 10 * progress.Ended / progress.Total;
            if (decile > lastDecile)
            {
                lastDecile = decile;
                AnsiConsole.WriteLine(Dashboard.PlainProgressLine(progress, pool.GetStats(), hostOf));
            }
        }

        await TileRenderer.RenderAsync(pool, tiles, image, progress, OnTileDone, cancellationToken);
    }
}
