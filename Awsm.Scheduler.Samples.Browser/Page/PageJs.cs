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
}
