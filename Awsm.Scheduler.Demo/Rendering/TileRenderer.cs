using Awsm.Scheduler.Demo.Jobs;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>Dispatches every tile to the pool and assembles the results as they arrive, in completion order.</summary>
internal static class TileRenderer
{
    public static async Task RenderAsync(
        WorkerPool pool,
        IReadOnlyList<TileRequest> tiles,
        ImageBuffer image,
        RenderProgress progress,
        Action<TileRequest>? onTileDone,
        CancellationToken cancellationToken)
    {
        progress.Start();

        // Hand all tiles to the pool at once: its bounded queue and per-worker in-flight limit do the pacing,
        // and the selection strategy decides which worker gets each one.
        var pending = new List<Task<(TileRequest Tile, byte[] Pixels)>>(tiles.Count);
        for (int i = 0; i < tiles.Count; i++)
        {
            pending.Add(DispatchAsync(pool, tiles[i], progress.Track(i, tiles[i]), cancellationToken));
        }

        await foreach (Task<(TileRequest Tile, byte[] Pixels)> finished in Task.WhenEach(pending))
        {
            if (finished.IsCompletedSuccessfully)
            {
                (TileRequest tile, byte[] pixels) = finished.Result;
                image.Blit(tile, pixels);
                progress.TileCompleted((long)tile.Width * tile.Height);
                onTileDone?.Invoke(tile);
            }
            else if (finished.IsCanceled)
            {
                progress.TileCanceled();
            }
            else
            {
                progress.TileFailed(finished.Exception!.GetBaseException());
            }
        }

        progress.Stop();
    }

    private static async Task<(TileRequest Tile, byte[] Pixels)> DispatchAsync(WorkerPool pool, TileRequest tile, RunningTile running, CancellationToken cancellationToken)
    {
        try
        {
            // The job reports rows done; the pool delivers them to `running` and none after the result.
            return (tile, await pool.DispatchAsync(MandelbrotTileJob.Handle, tile, running, cancellationToken));
        }
        finally
        {
            running.End();
        }
    }
}
