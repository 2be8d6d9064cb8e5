namespace Awsm.Scheduler.Demo.Jobs;

/// <summary>
/// One tile of the image: where it sits (in pixels), how big the whole image is, and which part of the complex
/// plane the whole image shows. Everything a worker needs travels here, because jobs are stateless.
/// </summary>
/// <param name="X">Left edge of the tile, in image pixels.</param>
/// <param name="Y">Top edge of the tile, in image pixels.</param>
/// <param name="Width">Tile width in pixels.</param>
/// <param name="Height">Tile height in pixels.</param>
/// <param name="ImageWidth">Width of the whole image in pixels.</param>
/// <param name="ImageHeight">Height of the whole image in pixels.</param>
/// <param name="MaxIterations">Iterations after which a point counts as inside the set.</param>
/// <param name="CenterRe">Real part of the image centre.</param>
/// <param name="CenterIm">Imaginary part of the image centre.</param>
/// <param name="ViewWidth">Width of the complex-plane window the image shows.</param>
public sealed record TileRequest(
    int X,
    int Y,
    int Width,
    int Height,
    int ImageWidth,
    int ImageHeight,
    int MaxIterations,
    double CenterRe,
    double CenterIm,
    double ViewWidth)
{
    /// <summary>Bytes of the tile's RGB output: three per pixel, row by row.</summary>
    public int OutputLength => Width * Height * 3;

    /// <summary>
    /// The same part of the plane at 1/<paramref name="factor"/> of the resolution: a tile <paramref name="factor"/>²
    /// times cheaper, of a picture <paramref name="factor"/> times smaller, for a coarse first look.
    /// </summary>
    public TileRequest Coarse(int factor) => this with
    {
        X = X / factor,
        Y = Y / factor,
        Width = Math.Max(1, Width / factor),
        Height = Math.Max(1, Height / factor),
        ImageWidth = Math.Max(1, ImageWidth / factor),
        ImageHeight = Math.Max(1, ImageHeight / factor),
    };
}
