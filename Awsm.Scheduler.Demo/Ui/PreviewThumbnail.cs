using Awsm.Scheduler.Demo.Jobs;
using Awsm.Scheduler.Demo.Rendering;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Awsm.Scheduler.Demo.Ui;

/// <summary>
/// A small picture of the image that fills in as tiles arrive. Each terminal cell shows two pixels with the
/// upper half block '▀' (foreground = top pixel, background = bottom pixel), which makes the cells roughly square.
/// </summary>
internal sealed class PreviewThumbnail
{
    private static readonly Color Pending = new(30, 30, 38);

    private readonly ImageBuffer _image;
    private readonly int _size;
    private readonly Color[] _pixels;
    private readonly Lock _gate = new();

    public PreviewThumbnail(ImageBuffer image, int size)
    {
        _image = image;
        _size = size - (size % 2);
        _pixels = new Color[_size * _size];
        Array.Fill(_pixels, Pending);
    }

    /// <summary>Samples the thumbnail pixels that fall inside a finished tile.</summary>
    public void OnTileDone(TileRequest tile)
    {
        lock (_gate)
        {
            for (int py = 0; py < _size; py++)
            {
                int y = (int)((py + 0.5) * _image.Height / _size);
                if (y < tile.Y || y >= tile.Y + tile.Height)
                {
                    continue;
                }

                for (int px = 0; px < _size; px++)
                {
                    int x = (int)((px + 0.5) * _image.Width / _size);
                    if (x >= tile.X && x < tile.X + tile.Width)
                    {
                        int i = ((y * _image.Width) + x) * 3;
                        _pixels[(py * _size) + px] = new Color(_image.Rgb[i], _image.Rgb[i + 1], _image.Rgb[i + 2]);
                    }
                }
            }
        }
    }

    public IRenderable Render()
    {
        var text = new Paragraph();
        lock (_gate)
        {
            for (int py = 0; py < _size; py += 2)
            {
                for (int px = 0; px < _size; px++)
                {
                    text.Append("▀", new Style(_pixels[(py * _size) + px], _pixels[((py + 1) * _size) + px]));
                }

                if (py + 2 < _size)
                {
                    text.Append("\n");
                }
            }
        }

        return text;
    }
}
