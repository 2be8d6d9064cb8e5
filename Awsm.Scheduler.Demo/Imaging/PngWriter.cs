using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Awsm.Scheduler.Demo.Imaging;

/// <summary>A minimal PNG encoder: 8-bit RGB, no interlacing, the Sub filter on every row, one IDAT chunk.</summary>
internal static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static void WriteRgb(string path, int width, int height, ReadOnlySpan<byte> rgb)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"Expected {width * height * 3} RGB bytes for {width}×{height}, got {rgb.Length}.", nameof(rgb));
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        file.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour (RGB)
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method: adaptive
        header[12] = 0; // no interlace
        WriteChunk(file, "IHDR", header);

        WriteChunk(file, "IDAT", Compress(width, height, rgb));
        WriteChunk(file, "IEND", []);
    }

    private static byte[] Compress(int width, int height, ReadOnlySpan<byte> rgb)
    {
        int stride = width * 3;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            // Each scanline is prefixed with its filter type. Sub (1) stores each byte minus the same channel of
            // the pixel to its left, which turns smooth gradients into runs of small numbers that deflate well.
            byte[] line = new byte[1 + stride];
            line[0] = 1;
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = rgb.Slice(y * stride, stride);
                for (int i = 0; i < stride; i++)
                {
                    line[1 + i] = i < 3 ? row[i] : (byte)(row[i] - row[i - 3]);
                }

                zlib.Write(line);
            }
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        stream.Write(buffer);

        // The CRC covers the chunk type and the data, not the length.
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        stream.Write(typeBytes);
        stream.Write(data);

        uint crc = Crc32.Append(Crc32.Append(0, typeBytes), data);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, crc);
        stream.Write(buffer);
    }
}
