using System.Globalization;
using Awsm.Scheduler.Demo.Jobs;
using Awsm.Scheduler.Demo.Rendering;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Awsm.Scheduler.Demo.Ui;

/// <summary>Builds the frames of the live view and the final summary from the pool's stats snapshots.</summary>
internal static class Dashboard
{
    private const int MaxWorkerRows = 16;
    private const int BarWidth = 36;

    public static IRenderable LiveFrame(string title, RenderProgress progress, WorkerPoolStats stats, PreviewThumbnail? preview, Func<int, string?>? hostOf = null)
    {
        IReadOnlyList<(RunningTile Tile, TileProgress Progress)> running = progress.RunningTiles();
        var right = new Rows(
            ProgressLine(progress, running),
            new Markup(string.Create(CultureInfo.InvariantCulture,
                $"[grey]queued[/] {stats.QueueDepth}   [grey]in flight[/] {stats.InFlight}   [grey]rendering[/] {running.Count} ({running.Sum(t => t.Progress.RowsDone)}/{running.Sum(t => t.Tile.Rows)} rows)   [grey]round trip p50[/] {Ms(stats.RoundTripP50)}   [grey]p99[/] {Ms(stats.RoundTripP99)}")),
            WorkerTable(stats, progress.Total, hostOf, running));

        IRenderable body = right;
        if (preview is not null)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(3)).AddColumn();
            grid.AddRow(preview.Render(), right);
            body = grid;
        }

        return new Panel(body)
            .Header($"[bold]{Markup.Escape(title)}[/]")
            .Border(BoxBorder.Rounded)
            .BorderColor(Color.Grey);
    }

    /// <summary>A one-line progress summary for redirected output, where the live view is not available.</summary>
    public static string PlainProgressLine(RenderProgress progress, WorkerPoolStats stats, Func<int, string?>? hostOf = null)
    {
        string perWorker = string.Join(", ", stats.Workers.Select(w => hostOf?.Invoke(w.WorkerIndex) is { } host ? $"w{w.WorkerIndex}@{host}: {w.Completed}" : $"w{w.WorkerIndex}: {w.Completed}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"[{100 * progress.Ended / progress.Total,3}%] {progress.Completed}/{progress.Total} tiles in {progress.Elapsed.TotalSeconds:0.00} s  ({perWorker})");
    }

    /// <summary>
    /// The per-worker table; with <paramref name="hostOf"/> (the Redis transport) it names the host serving each worker,
    /// with <paramref name="running"/> (the live view) it shows the rows done of the tile each worker renders.
    /// </summary>
    public static Table WorkerTable(WorkerPoolStats stats, int totalTiles, Func<int, string?>? hostOf = null, IReadOnlyList<(RunningTile Tile, TileProgress Progress)>? running = null)
    {
        var table = new Table()
            .Border(TableBorder.Simple)
            .BorderColor(Color.Grey)
            .AddColumn("Worker")
            .AddColumn("State")
            .AddColumn(new TableColumn("In flight").RightAligned())
            .AddColumn(new TableColumn("Done").RightAligned())
            .AddColumn("Share of jobs");
        if (running is not null)
        {
            table.AddColumn("Current tile");
        }

        // Jobs, not tiles: with the live preview each tile is two jobs (its coarse preview and the tile itself).
        long totalJobs = Math.Max(totalTiles, stats.Workers.Sum(w => w.Completed));
        foreach (WorkerStats worker in stats.Workers.Take(MaxWorkerRows))
        {
            // The bar is scaled so that a fair share (1 / workers) fills half of it: imbalance shows either way.
            double share = totalJobs == 0 ? 0 : (double)worker.Completed / totalJobs;
            var cells = new List<IRenderable>
            {
                new Markup(hostOf is null ? $"#{worker.WorkerIndex}" : $"#{worker.WorkerIndex} [grey]@[/] {Markup.Escape(hostOf(worker.WorkerIndex) ?? "(unclaimed)")}"),
                new Markup(StateMarkup(worker.State)),
                new Markup(worker.InFlight > 0 ? $"[yellow]{worker.InFlight}[/]" : "[grey]0[/]"),
                new Markup(worker.Completed.ToString(CultureInfo.InvariantCulture)),
                new Markup(string.Create(CultureInfo.InvariantCulture, $"{Bar(share * stats.Workers.Count / 2, 20, "deepskyblue1")} {share:P0}")),
            };
            if (running is not null)
            {
                cells.Add(new Markup(CurrentTile(running, worker.WorkerIndex)));
            }

            table.AddRow(cells);
        }

        if (stats.Workers.Count > MaxWorkerRows)
        {
            int hidden = stats.Workers.Count - MaxWorkerRows;
            long done = stats.Workers.Skip(MaxWorkerRows).Sum(w => w.Completed);
            var cells = new List<IRenderable> { new Markup($"[grey]+{hidden} more[/]"), Text.Empty, Text.Empty, new Text(done.ToString(CultureInfo.InvariantCulture)), Text.Empty };
            if (running is not null)
            {
                cells.Add(Text.Empty);
            }

            table.AddRow(cells);
        }

        return table;
    }

    public static Table Summary(RenderSummary summary)
    {
        WorkerPoolStats stats = summary.Stats;
        double seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
        double megapixels = (double)summary.PixelsRendered / 1_000_000;

        var table = new Table()
            .Border(TableBorder.Rounded)
            .BorderColor(Color.Grey)
            .Title("[bold]Run summary[/]")
            .AddColumn("Metric")
            .AddColumn(new TableColumn("Value").RightAligned());

        void Row(string name, string value) => table.AddRow(new Markup($"[grey]{name}[/]"), new Markup(value));

        Row("Outcome", summary.Outcome);
        Row("Tiles completed", $"{summary.Progress.Completed} / {summary.Progress.Total}");
        Row("Wall time", Invariant($"{summary.Elapsed.TotalMilliseconds:N0} ms"));
        Row("Throughput", Invariant($"[bold green]{summary.Progress.Completed / seconds:N1}[/] jobs/s"));
        Row("Pixel rate", Invariant($"[bold green]{megapixels / seconds:N2}[/] Mpixel/s"));
        Row("Round trip p50", Ms(stats.RoundTripP50));
        Row("Round trip p99", Ms(stats.RoundTripP99));
        Row("Failed", Count(stats.Failed, "red"));
        Row("Cancelled", Count(stats.Canceled, "yellow"));
        Row("Timed out", Count(stats.TimedOut, "red"));
        Row("Workers", Invariant($"{stats.Workers.Count} ({summary.Strategy}, {summary.Mode})"));
        Row("Output", summary.OutputPath is null ? "[grey](not written)[/]" : $"[link]{Markup.Escape(summary.OutputPath)}[/]");
        return table;
    }

    // The rows done of the tiles a worker renders (usually one; a worker with a tile waiting in its inbox reports only
    // the one it runs), as a bar and a count.
    private static string CurrentTile(IReadOnlyList<(RunningTile Tile, TileProgress Progress)> running, int workerIndex)
    {
        int rows = 0, done = 0, tiles = 0;
        foreach ((RunningTile tile, TileProgress reported) in running)
        {
            if (reported.WorkerIndex == workerIndex)
            {
                rows += tile.Rows;
                done += reported.RowsDone;
                tiles++;
            }
        }

        if (tiles == 0)
        {
            return "[grey]–[/]";
        }

        string label = tiles == 1 ? "rows" : $"rows of {tiles} tiles";
        return Invariant($"{Bar((double)done / rows, 12, "yellow")} {done}/{rows} {label}");
    }

    private static Markup ProgressLine(RenderProgress progress, IReadOnlyList<(RunningTile Tile, TileProgress Progress)> running)
    {
        // Finished tiles plus the reported part of the running ones, so that the bar also moves inside slow tiles.
        double partial = running.Sum(t => (double)t.Progress.RowsDone / t.Tile.Rows);
        double fraction = progress.Total == 0 ? 1 : Math.Min(1, (progress.Ended + partial) / progress.Total);
        double seconds = progress.Elapsed.TotalSeconds;
        string rate = seconds > 0 ? Invariant($"{progress.Completed / seconds:N0} jobs/s") : "–";
        return new Markup(Invariant(
            $"{Bar(fraction, BarWidth, "green")} [bold]{progress.Completed}[/]/{progress.Total} tiles  {fraction:P0}  [grey]{seconds:0.0} s · {rate}[/]"));
    }

    private static string Bar(double fraction, int width, string color)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        return $"[{color}]{new string('━', filled)}[/][grey23]{new string('─', width - filled)}[/]";
    }

    private static string StateMarkup(WorkerState state) => state switch
    {
        WorkerState.Ready => "[green]ready[/]",
        WorkerState.Starting => "[yellow]starting[/]",
        _ => $"[red]{state.ToString().ToLowerInvariant()}[/]",
    };

    private static string Count(long value, string color) => value == 0 ? "0" : $"[{color}]{value}[/]";

    private static string Ms(TimeSpan value) => Invariant($"{value.TotalMilliseconds:0.00} ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
