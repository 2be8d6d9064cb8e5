using Awsm.Scheduler.Demo.Jobs;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>Dispatches every tile to the pool and assembles the results as they arrive, in completion order.</summary>
internal static class TileRenderer
{
    /// <summary>How much coarser a preview tile is, per side: 1/16 of the work of its tile.</summary>
    private const int PreviewFactor = 4;

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
        // and the selection strategy decides which worker gets each one. With a live preview, every tile is first
        // asked for at a quarter of its resolution in the high lane: those jobs overtake the queued full tiles, so a
        // coarse picture appears at once and the full tiles replace it as they arrive.
        var pending = new List<Task<Rendered>>(tiles.Count * 2);
        var done = new bool[tiles.Count];
        for (int i = 0; i < tiles.Count; i++)
        {
            pending.Add(RenderFullAsync(pool, i, tiles[i], progress.Track(i, tiles[i]), cancellationToken));
            if (onTileDone is not null)
            {
                pending.Add(RenderPreviewAsync(pool, i, tiles[i], cancellationToken));
            }
        }

        await foreach (Task<Rendered> finished in Task.WhenEach(pending))
        {
            if (finished.IsCompletedSuccessfully)
            {
                Rendered rendered = finished.Result;
                TileRequest tile = tiles[rendered.Index];
                if (rendered.Coarse is { } coarse)
                {
                    // A preview that arrives after its full tile, or failed, has nothing to show.
                    if (!done[rendered.Index] && rendered.Pixels.Length == coarse.OutputLength)
                    {
                        image.BlitCoarse(tile, coarse, rendered.Pixels);
                        onTileDone?.Invoke(tile);
                    }

                    continue;
                }

                done[rendered.Index] = true;
                image.Blit(tile, rendered.Pixels);
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

    private static async Task<Rendered> RenderFullAsync(WorkerPool pool, int index, TileRequest tile, RunningTile running, CancellationToken cancellationToken)
    {
        try
        {
            // The job reports rows done; the pool delivers them to `running` and none after the result.
            return new Rendered(index, null, await pool.DispatchAsync(MandelbrotTileJob.Handle, tile, running, cancellationToken));
        }
        finally
        {
            running.End();
        }
    }

    private static async Task<Rendered> RenderPreviewAsync(WorkerPool pool, int index, TileRequest tile, CancellationToken cancellationToken)
    {
        TileRequest coarse = tile.Coarse(PreviewFactor);
        try
        {
            byte[] pixels = await pool.DispatchAsync(MandelbrotTileJob.Handle, coarse, s_preview, cancellationToken);
            return new Rendered(index, coarse, pixels);
        }
        catch (Exception)
        {
            // A preview is a nicety: its failure or cancellation is not the render's (the full tile reports its own).
            return new Rendered(index, coarse, []);
        }
    }

    private static readonly DispatchOptions s_preview = new() { Priority = JobPriority.High };

    /// <summary>A finished tile: its index, the coarse request when it is a preview, and its pixels.</summary>
    private sealed record Rendered(int Index, TileRequest? Coarse, byte[] Pixels);
}
