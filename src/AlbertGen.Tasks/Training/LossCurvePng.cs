using System.Buffers.Binary;
using System.IO.Compression;

namespace AlbertGen.Tasks.Training;

/// <summary>
/// The training curves as a small PNG (written with the framework's zlib, no plotting dependency): x = step, y = loss
/// on a linear axis from 0 to the largest value; MLM loss in blue, SOP loss in red, each a 1%-of-run moving average
/// over the raw points in a lighter shade. No text (no font renderer): the axes run from step 1 to the last step and
/// from 0 to the maximum loss, which metrics.jsonl holds exactly.
/// </summary>
public static class LossCurvePng
{
    public static void Write(string path, IReadOnlyList<double> mlm, IReadOnlyList<double> sop, int width = 640, int height = 360)
    {
        var pixels = new byte[height * width * 3];
        Array.Fill(pixels, (byte)255);
        const int margin = 20;
        int w = width - 2 * margin, h = height - 2 * margin;
        double max = mlm.Concat(sop).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        if (max <= 0) max = 1;
        void Set(int x, int y, (byte R, byte G, byte B) c)
        {
            if ((uint)x >= (uint)width || (uint)y >= (uint)height) return;
            int i = (y * width + x) * 3;
            pixels[i] = c.R; pixels[i + 1] = c.G; pixels[i + 2] = c.B;
        }
        for (int x = margin; x <= margin + w; x++) Set(x, margin + h, (0, 0, 0));
        for (int y = margin; y <= margin + h; y++) Set(margin, y, (0, 0, 0));
        void Plot(IReadOnlyList<double> values, (byte, byte, byte) color)
        {
            int n = values.Count;
            if (n == 0) return;
            int prevX = -1, prevY = -1;
            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(values[i])) continue;
                int x = margin + (n == 1 ? 0 : (int)((long)i * w / (n - 1)));
                int y = margin + h - (int)Math.Round(Math.Clamp(values[i] / max, 0, 1) * h);
                if (prevX >= 0) Line(prevX, prevY, x, y, color);
                else Set(x, y, color);
                prevX = x; prevY = y;
            }
        }
        void Line(int x0, int y0, int x1, int y1, (byte, byte, byte) c)
        {
            int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
            while (true)
            {
                Set(x0, y0, c);
                if (x0 == x1 && y0 == y1) break;
                int e2 = 2 * err;
                if (e2 >= dy) { err += dy; x0 += sx; }
                if (e2 <= dx) { err += dx; y0 += sy; }
            }
        }
        Plot(mlm, (170, 190, 235));
        Plot(sop, (240, 175, 175));
        Plot(Smooth(mlm), (20, 60, 200));
        Plot(Smooth(sop), (200, 30, 30));
        WritePng(path, width, height, pixels);
    }

    static double[] Smooth(IReadOnlyList<double> v)
    {
        int k = Math.Max(1, v.Count / 100);
        var result = new double[v.Count];
        double sum = 0;
        var window = new Queue<double>();
        for (int i = 0; i < v.Count; i++)
        {
            double x = double.IsFinite(v[i]) ? v[i] : 0;
            window.Enqueue(x);
            sum += x;
            if (window.Count > k) sum -= window.Dequeue();
            result[i] = sum / window.Count;
        }
        return result;
    }

    /// <summary>8-bit RGB, no interlace, one zlib-compressed IDAT; written to a temp file and renamed.</summary>
    public static void WritePng(string path, int width, int height, byte[] rgb)
    {
        using var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            raw.Write(rgb, y * width * 3, width * 3);
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            raw.WriteTo(z);
        AlbertGen.IO.AtomicFile.Write(path, f =>
        {
            f.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
            var ihdr = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
            ihdr[8] = 8; ihdr[9] = 2; // 8-bit, truecolour
            Chunk(f, "IHDR", ihdr);
            Chunk(f, "IDAT", compressed.ToArray());
            Chunk(f, "IEND", []);
        });
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> c = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(c, crc);
        s.Write(c);
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The PNG/zlib CRC-32 (polynomial 0xEDB88320), continued from <paramref name="crc"/>.</summary>
    static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }
}
