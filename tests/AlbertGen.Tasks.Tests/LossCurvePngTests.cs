using System.Buffers.Binary;
using System.IO.Compression;
using AlbertGen.Tasks.Training;
using Xunit;

namespace AlbertGen.Tasks.Tests;

public class LossCurvePngTests
{
    [Fact]
    public void Writes_a_valid_png_with_both_curves()
    {
        string path = Path.Combine(Path.GetTempPath(), $"albertgen-loss-{Guid.NewGuid():N}.png");
        try
        {
            var mlm = Enumerable.Range(0, 300).Select(i => 9.0 - 3 * i / 300.0).ToList();
            var sop = Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? 0.7 : double.NaN).ToList();
            LossCurvePng.Write(path, mlm, sop, 200, 100);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            // walk the chunks: IHDR (200 × 100, 8-bit RGB), IDAT, IEND
            int at = 8;
            var idat = new MemoryStream();
            var types = new List<string>();
            while (at < bytes.Length)
            {
                int len = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
                string type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
                types.Add(type);
                if (type == "IHDR")
                {
                    Assert.Equal(200, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 8)));
                    Assert.Equal(100, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 12)));
                    Assert.Equal(8, bytes[at + 16]);
                    Assert.Equal(2, bytes[at + 17]);
                }
                if (type == "IDAT") idat.Write(bytes, at + 8, len);
                at += 12 + len;
            }
            Assert.Equal(["IHDR", "IDAT", "IEND"], types);
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            var raw = new MemoryStream();
            z.CopyTo(raw);
            var pixels = raw.ToArray();
            Assert.Equal(100 * (1 + 200 * 3), pixels.Length);
            bool blue = false, red = false;
            for (int y = 0; y < 100; y++)
                for (int x = 0; x < 200; x++)
                {
                    int i = y * (1 + 600) + 1 + x * 3;
                    blue |= pixels[i] == 20 && pixels[i + 1] == 60 && pixels[i + 2] == 200;
                    red |= pixels[i] == 200 && pixels[i + 1] == 30 && pixels[i + 2] == 30;
                }
            Assert.True(blue && red, "both smoothed curves are drawn");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
