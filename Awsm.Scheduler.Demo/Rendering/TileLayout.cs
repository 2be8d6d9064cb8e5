using Awsm.Scheduler.Demo.Jobs;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>Splits a square image into exactly the requested number of tiles, as a rows × columns grid.</summary>
internal static class TileLayout
{
    /// <summary>
    /// Picks the grid closest to square whose cell count is exactly <paramref name="tiles"/>: 256 gives 16 × 16,
    /// 200 gives 20 rows × 10 columns, a prime gives horizontal strips.
    /// </summary>
    public static (int Rows, int Columns) Grid(int tiles)
    {
        int columns = (int)Math.Sqrt(tiles);
        while (tiles % columns != 0)
        {
            columns--;
        }

        return (tiles / columns, columns);
    }

    /// <summary>Creates the tile requests, row by row. Tiles differ in size by at most one pixel.</summary>
    public static IReadOnlyList<TileRequest> Create(int size, int tiles, int maxIterations, double centerRe, double centerIm, double viewWidth)
    {
        (int rows, int columns) = Grid(tiles);
        var requests = new List<TileRequest>(tiles);
        for (int r = 0; r < rows; r++)
        {
            int y0 = r * size / rows;
            int y1 = (r + 1) * size / rows;
            for (int c = 0; c < columns; c++)
            {
                int x0 = c * size / columns;
                int x1 = (c + 1) * size / columns;
                requests.Add(new TileRequest(x0, y0, x1 - x0, y1 - y0, size, size, maxIterations, centerRe, centerIm, viewWidth));
            }
        }

        return requests;
    }
}
