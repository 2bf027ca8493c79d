using System.Text;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

public class SafeTensorsTests
{
    static byte[] File(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BitConverter.GetBytes((ulong)h.Length).CopyTo(bytes, 0);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    static SafeTensorsException OpenFails(byte[] bytes)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        return Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Open(path).Dispose());
    }

    [Fact]
    public void Writer_round_trips_and_replaces_atomically()
    {
        using var dir = new TempDir();
        var path = dir.File("w.safetensors");
        System.IO.File.WriteAllText(path, "old contents");
        float[] a = [1f, -2.5f, 3f, 4f, 5f, 6f];
        SafeTensorsWriter.Write(path, [new("b.weight", [2, 3], a), new("a", [], new float[] { 7f })], new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no temp file left
        using var f = SafeTensorsFile.Open(path);
        Assert.Equal(a, f.ReadFloat32Array("b.weight"));
        Assert.Equal([2, 3], f.GetEntry("b.weight").Shape);
        Assert.Equal([7f], f.ReadFloat32Array("a"));
        Assert.Equal("v", f.Metadata["k"]);
    }

    [Fact]
    public void Reads_f16_and_bf16_as_float32()
    {
        var half = new byte[6];
        BitConverter.GetBytes((Half)1.5f).CopyTo(half, 0);
        BitConverter.GetBytes((Half)(-0.25f)).CopyTo(half, 2);
        BitConverter.GetBytes((Half)1000f).CopyTo(half, 4);
        var bf = new byte[4];
        BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(3.25f) >> 16)).CopyTo(bf, 0);
        BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(-1e10f) >> 16)).CopyTo(bf, 2);
        var data = half.Concat(bf).ToArray();
        var bytes = File("{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]}}", data);
        using var dir = new TempDir();
        var path = dir.File("x.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        using var f = SafeTensorsFile.Open(path);
        Assert.Equal([1.5f, -0.25f, 1000f], f.ReadFloat32Array("h"));
        var b = f.ReadFloat32Array("b");
        Assert.Equal(3.25f, b[0]);
        Assert.Equal(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(-1e10f) & unchecked((int)0xFFFF0000)), b[1]);
    }

    [Fact]
    public void Too_short_file_is_rejected() => Assert.Contains("too short", OpenFails([1, 2, 3]).Message);

    [Fact]
    public void Header_length_past_end_is_rejected()
    {
        var bytes = new byte[16];
        BitConverter.GetBytes(1000UL).CopyTo(bytes, 0);
        Assert.Contains("past the end", OpenFails(bytes).Message);
    }

    [Fact]
    public void Huge_header_length_is_rejected_without_allocating()
    {
        var bytes = new byte[16];
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 0);
        Assert.Contains("cap", OpenFails(bytes).Message);
    }

    [Fact]
    public void Non_json_header_is_rejected() => Assert.Contains("not valid JSON", OpenFails(File("{not json", [])).Message);

    [Fact]
    public void Offsets_past_data_are_rejected() =>
        Assert.Contains("past the end of the data area", OpenFails(File("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8])).Message);

    [Fact]
    public void Byte_length_must_match_shape() =>
        Assert.Contains("does not match shape", OpenFails(File("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8])).Message);

    [Fact]
    public void Overlapping_tensors_are_rejected() =>
        Assert.Contains("overlap", OpenFails(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12])).Message);

    [Fact]
    public void Unknown_dtype_is_rejected() =>
        Assert.Contains("unknown dtype", OpenFails(File("{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", new byte[16])).Message);

    [Fact]
    public void Negative_shape_is_rejected() =>
        Assert.Contains("non-negative", OpenFails(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4])).Message);

    [Fact]
    public void A_symlinked_file_is_read_through_the_link()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        var target = dir.File("real.safetensors");
        SafeTensorsWriter.Write(target, [new("x", [3], new float[] { 1, 2, 3 })]);
        var link = dir.File("link.safetensors");
        System.IO.File.CreateSymbolicLink(link, target);
        using var f = SafeTensorsFile.Open(link);
        Assert.Equal([1f, 2f, 3f], f.ReadFloat32Array("x"));
    }
}
