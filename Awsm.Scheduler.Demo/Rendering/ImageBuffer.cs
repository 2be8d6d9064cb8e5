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
}
