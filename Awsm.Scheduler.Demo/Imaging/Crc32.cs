namespace Awsm.Scheduler.Demo.Imaging;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as PNG chunks need it. System.IO.Hashing is a NuGet
/// package, not part of the shared framework, and a table-driven CRC is a dozen lines.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>Continues a running CRC over <paramref name="data"/>; start with <c>0</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
