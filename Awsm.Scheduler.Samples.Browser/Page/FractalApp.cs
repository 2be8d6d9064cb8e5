using System.Diagnostics;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Awsm.Scheduler.Samples.Browser.Jobs;
using Awsm.Scheduler.WebWorker;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>The visible sample: Mandelbrot tiles computed by web workers and painted as they finish.</summary>
[SupportedOSPlatform("browser")]
public static partial class FractalApp
{
    private const int CanvasWidth = 768;
    private const int CanvasHeight = 512;

    private static WorkerPool? s_pool;
    private static WebWorkerTransport? s_transport;
    private static string s_poolKey = string.Empty;
    private static int s_workers;
    private static string s_strategy = "round-robin";
    private static bool s_rendering;
    private static List<TileRequest> s_lastTiles = [];

    /// <summary>Renders the whole view with <paramref name="workers"/> workers; returns a JSON summary.</summary>
    /// <param name="workers">How many web workers.</param>
    /// <param name="strategy"><c>round-robin</c> or <c>least-busy</c>.</param>
    /// <param name="maxIterations">Iteration cap per pixel (the amount of work).</param>
    /// <param name="zoom">1 for the whole set; larger zooms into the seahorse valley.</param>
    /// <param name="handover">Hand the runtime resources over to new workers.</param>
    /// <returns>JSON: tiles, ms, workers, strategy, startMs.</returns>
    [JSExport]
    public static async Task<string> Render(int workers, string strategy, int maxIterations, double zoom, bool handover)
    {
        if (s_rendering)
        {
            return new JsonObject { ["ok"] = false, ["message"] = "already rendering" }.ToJsonString();
        }

        s_rendering = true;
        try
        {
            double startMs = await EnsurePoolAsync(workers, strategy, handover);
            WorkerPool pool = s_pool!;
            PageJs.ClearCanvas(CanvasWidth, CanvasHeight);
            bool deep = zoom > 1;
            double centerRe = deep ? -0.7436 : -0.6;
            double centerIm = deep ? 0.1318 : 0;
            double pixelSize = 3.0 / CanvasWidth / zoom;
            const int tile = 64;
            var tiles = new List<TileRequest>();
            for (int y = 0; y < CanvasHeight; y += tile)
            {
                for (int x = 0; x < CanvasWidth; x += tile)
                {
                    tiles.Add(new TileRequest(x, y, tile, tile, centerRe, centerIm, pixelSize, CanvasWidth, CanvasHeight, maxIterations));
                }
            }

            // Spiral-ish order from the centre looks nicer: sort by distance to the centre.
            tiles.Sort((a, b) => Distance(a).CompareTo(Distance(b)));
            s_lastTiles = tiles;

            // One overlay per tile: queued, then a bar of the rows done while a worker computes it, then done.
            PageJs.ResetTiles([.. tiles.SelectMany(t => new[] { t.X, t.Y, t.Width, t.Height })]);
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(tiles.Select(async (t, i) =>
            {
                var progress = new TileProgress(i);
                byte[] rgba;
                try
                {
                    rgba = await pool.DispatchAsync<MandelbrotTileJob, TileRequest, byte[], double>(t, progress);
                }
                catch
                {
                    progress.Failed();
                    throw;
                }

                PageJs.PaintTile(t.X, t.Y, t.Width, t.Height, rgba);
                progress.Done();
            }));
            return new JsonObject
            {
                ["ok"] = true,
                ["tiles"] = tiles.Count,
                ["ms"] = sw.Elapsed.TotalMilliseconds,
                ["workers"] = workers,
                ["strategy"] = strategy,
                ["poolStartMs"] = startMs,
            }.ToJsonString();
        }
        finally
        {
            s_rendering = false;
        }

        static double Distance(TileRequest t) => Math.Pow(t.X + 32 - (CanvasWidth / 2.0), 2) + Math.Pow(t.Y + 32 - (CanvasHeight / 2.0), 2);
    }

    /// <summary>
    /// Recomputes <paramref name="sample"/> tiles of the last render on the page, spread over its tile order, and compares
    /// them with what the canvas shows (below each tile's worker marker); returns a JSON summary.
    /// </summary>
    /// <param name="sample">How many tiles to check.</param>
    /// <returns>JSON: ok, checked, mismatchedBytes.</returns>
    [JSExport]
    public static string VerifyCanvas(int sample)
    {
        List<TileRequest> tiles = s_lastTiles;
        int count = Math.Clamp(sample, 0, tiles.Count);
        long mismatched = 0;
        for (int k = 0; k < count; k++)
        {
            TileRequest t = tiles[count == 1 ? 0 : (int)((long)k * (tiles.Count - 1) / (count - 1))];
            byte[] expected = MandelbrotTileJob.Render(t, -1);
            mismatched += PageJs.CompareTile(t.X, t.Y, t.Width, t.Height, MandelbrotTileJob.MarkerSize, expected);
        }

        return new JsonObject { ["ok"] = count > 0 && mismatched == 0, ["checked"] = count, ["mismatchedBytes"] = mismatched }.ToJsonString();
    }

    /// <summary>Gets the fractal pool's statistics as JSON (from <see cref="WorkerPool.GetStats"/>).</summary>
    /// <returns>JSON, or <c>null</c> before the first render.</returns>
    [JSExport]
    public static string? GetStats()
    {
        if (s_pool is null)
        {
            return null;
        }

        WorkerPoolStats stats = s_pool.GetStats();
        var workers = new JsonArray();
        foreach (WorkerStats w in stats.Workers)
        {
            workers.Add((JsonNode)new JsonObject
            {
                ["index"] = w.WorkerIndex,
                ["state"] = w.State.ToString(),
                ["inFlight"] = w.InFlight,
                ["completed"] = w.Completed,
                ["crashes"] = w.Crashes,
            });
        }

        return new JsonObject
        {
            ["pool"] = stats.PoolName,
            ["strategy"] = s_strategy,
            ["workersAlive"] = stats.WorkersAlive,
            ["dispatched"] = stats.Dispatched,
            ["completed"] = stats.Completed,
            ["failed"] = stats.Failed,
            ["queueDepth"] = stats.QueueDepth,
            ["inFlight"] = stats.InFlight,
            ["p50Ms"] = stats.RoundTripP50.TotalMilliseconds,
            ["p99Ms"] = stats.RoundTripP99.TotalMilliseconds,
            ["transferred"] = s_transport?.TransferredPayloads ?? 0,
            ["workers"] = workers,
        }.ToJsonString();
    }

    private static async Task<double> EnsurePoolAsync(int workers, string strategy, bool handover)
    {
        string key = $"{workers}/{strategy}/{handover}";
        if (s_pool is not null && key == s_poolKey)
        {
            return 0;
        }

        if (s_pool is not null)
        {
            await PoolFactory.StopAsync(s_pool);
            s_pool = null;
        }

        (WorkerPool pool, WebWorkerTransport transport) = PoolFactory.Create(
            workers,
            o =>
            {
                o.Strategy = strategy == "least-busy" ? WorkerSelectionStrategies.LeastBusy() : WorkerSelectionStrategies.RoundRobin();
                o.MaxInFlightPerWorker = 4;
            },
            t => t.HandOverResources = handover,
            name: "fractal");
        var sw = Stopwatch.StartNew();
        await pool.StartAsync();
        s_pool = pool;
        s_transport = transport;
        s_poolKey = key;
        s_workers = workers;
        s_strategy = strategy;
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>Gets how many workers the fractal pool has (0 before the first render).</summary>
    /// <returns>The count.</returns>
    [JSExport]
    public static int WorkerCount() => s_workers;
}
