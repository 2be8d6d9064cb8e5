using Awsm.Scheduler.Demo.Jobs;

namespace Awsm.Scheduler.Demo.Rendering;

/// <summary>
/// The assembled RGB image. Tiles cover disjoint regions, so finished tiles can be copied in from any thread
/// without a lock.
/// </summary>
internal sealed class ImageBuffer(int width, int height)
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public byte[] Rgb { get; } = new byte[width * height * 3];

    public void Blit(TileRequest tile, ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != tile.OutputLength)
        {
            throw new InvalidDataException($"Tile at ({tile.X}, {tile.Y}) returned {pixels.Length} bytes, expected {tile.OutputLength}.");
        }

        int tileStride = tile.Width * 3;
        for (int row = 0; row < tile.Height; row++)
        {
            pixels.Slice(row * tileStride, tileStride)
                .CopyTo(Rgb.AsSpan((((tile.Y + row) * Width) + tile.X) * 3, tileStride));
        }
    }

    /// <summary>Fills <paramref name="tile"/>'s area with a coarse rendering of it, each coarse pixel repeated over the pixels it stands for.</summary>
    public void BlitCoarse(TileRequest tile, TileRequest coarse, ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != coarse.OutputLength)
        {
            throw new InvalidDataException($"Preview of tile ({tile.X}, {tile.Y}) returned {pixels.Length} bytes, expected {coarse.OutputLength}.");
        }

        for (int row = 0; row < tile.Height; row++)
        {
            int coarseRow = Math.Min(coarse.Height - 1, row * coarse.Height / tile.Height);
            Span<byte> target = Rgb.AsSpan((((tile.Y + row) * Width) + tile.X) * 3, tile.Width * 3);
            for (int column = 0; column < tile.Width; column++)
            {
                int coarseColumn = Math.Min(coarse.Width - 1, column * coarse.Width / tile.Width);
                pixels.Slice(((coarseRow * coarse.Width) + coarseColumn) * 3, 3).CopyTo(target.Slice(column * 3, 3));
            }
        }
    }
}
