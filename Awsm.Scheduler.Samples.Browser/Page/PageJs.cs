using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>The page functions wwwroot/main.js registers as the <c>sample-page</c> module.</summary>
[SupportedOSPlatform("browser")]
internal static partial class PageJs
{
    private const string ModuleName = "sample-page";

    /// <summary>Paints RGBA pixels onto the fractal canvas.</summary>
    [JSImport("paintTile", ModuleName)]
    internal static partial void PaintTile(int x, int y, int width, int height, [JSMarshalAs<JSType.MemoryView>] Span<byte> rgba);

    /// <summary>Clears the fractal canvas.</summary>
    [JSImport("clearCanvas", ModuleName)]
    internal static partial void ClearCanvas(int width, int height);

    /// <summary>Lays out one overlay per tile over the fractal canvas (replacing the last render's), all queued.</summary>
    /// <param name="rects">Four numbers per tile, in tile index order: x, y, width, height.</param>
    [JSImport("resetTiles", ModuleName)]
    internal static partial void ResetTiles([JSMarshalAs<JSType.Array<JSType.Number>>] int[] rects);

    /// <summary>Shows a tile's state (<c>queued</c>, <c>running</c>, <c>done</c>, <c>failed</c>) and progress (0 to 1).</summary>
    [JSImport("setTile", ModuleName)]
    internal static partial void SetTile(int index, string state, double progress);

    /// <summary>Counts the bytes of the canvas rectangle, from row <paramref name="fromRow"/> on, that differ from <paramref name="expected"/>.</summary>
    [JSImport("compareTile", ModuleName)]
    internal static partial int CompareTile(int x, int y, int width, int height, int fromRow, [JSMarshalAs<JSType.MemoryView>] Span<byte> expected);
}
