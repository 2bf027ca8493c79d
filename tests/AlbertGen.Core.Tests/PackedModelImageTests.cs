using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Embedded;
using AlbertGen.Model;

namespace AlbertGen.Tests;

/// <summary>
/// Packed model images (D37): a fixture packed, reopened and run in place gives the folder path's outputs bit for bit
/// (and so the HF reference's within 1e-5), for float and int8 models, at an aligned and a misaligned address; a
/// damaged image or another config is refused with a message naming the problem.
/// </summary>
public unsafe class PackedModelImageTests
{
    static byte[] PackFixture(TempDir tmp, string dir)
    {
        string file = tmp.File(Path.GetFileName(dir) + ".albertpack");
        PackedModelImage.Pack(dir, file);
        return File.ReadAllBytes(file);
    }

    static void AssertSameOutputs(AlbertOutput expected, AlbertOutput actual)
    {
        var a = expected.Named().ToList();
        var b = actual.Named().ToList();
        Assert.Equal(a.Select(x => x.Key), b.Select(x => x.Key));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Value.Shape, b[i].Value.Shape);
            Assert.True(a[i].Value.Data.AsSpan().SequenceEqual(b[i].Value.Data), $"{a[i].Key} differs from the folder path");
        }
    }

    [Theory]
    [InlineData("tiny")]             // pretraining: tied decoder, SOP classifier
    [InlineData("groups3-inner2")]   // 3 groups × 2 inner layers
    [InlineData("masked-lm")]
    [InlineData("seqcls-single")]
    [InlineData("tokcls")]           // no pooler
    [InlineData("qa")]
    [InlineData("multiple-choice")]
    [InlineData("pretraining-untied")]
    public void Packed_image_runs_bit_identical_to_the_folder(string fixture)
    {
        using var tmp = new TempDir();
        string dir = Fixtures.Dir(fixture);
        byte[] bytes = PackFixture(tmp, dir);
        var config = AlbertConfig.Load(dir);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var folder = CpuAlbertModel.Load(dir);
        var expected = folder.Forward(batch);
        using var image = PackedModelImage.FromBytes(bytes, fixture);
        Assert.Equal(config.DefaultHead, image.Head);
        Assert.True(image.Files.ContainsKey("config.json"));
        using var packed = CpuAlbertModel.Load(image, config);
        var actual = packed.Forward(batch);
        AssertSameOutputs(expected, actual);
        Fixtures.AssertMatches(actual, Path.Combine(dir, "expected.safetensors"));
    }

    [Fact]
    public void Misaligned_image_in_place_gives_the_same_outputs()
    {
        // NativeAOT places manifest resources at arbitrary byte offsets (21, 12, 16 mod 64 in edge-sample builds): used in place there
        using var tmp = new TempDir();
        string dir = Fixtures.Dir("tiny");
        byte[] bytes = PackFixture(tmp, dir);
        var config = AlbertConfig.Load(dir);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var folder = CpuAlbertModel.Load(dir);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes.Length + 64, 64);
        try
        {
            bytes.CopyTo(new Span<byte>(buffer + 21, bytes.Length));
            var image = PackedModelImage.InPlace(buffer + 21, bytes.Length, "misaligned");
            Assert.Equal(21, image.Misalignment);
            Assert.True(image.IsInPlace);
            using var packed = CpuAlbertModel.Load(image, config);
            AssertSameOutputs(folder.Forward(batch), packed.Forward(batch));
            var sequences = AlbertPackedBatch.FromPadded(new AlbertBatch(2, 5, [2, 10, 11, 12, 3, 2, 13, 3, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0], null));
            AssertSameOutputs(folder.ForwardPacked(sequences), packed.ForwardPacked(sequences));
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("seqcls-single")]
    public void Int8_model_packs_its_int8_panels(string fixture)
    {
        using var tmp = new TempDir();
        string dir = Int8ModelTests.QuantizeFixture(tmp, fixture, out _);
        byte[] bytes = PackFixture(tmp, dir);
        var config = AlbertConfig.Load(dir);
        var batch = AlbertBatch.Load(Path.Combine(Fixtures.Dir(fixture), "inputs.json"));
        using var folder = CpuAlbertModel.Load(dir);
        using var image = PackedModelImage.FromBytes(bytes, fixture);
        using var packed = CpuAlbertModel.Load(image, config);
        AssertSameOutputs(folder.Forward(batch), packed.Forward(batch));
        // the int8 panels are about a quarter of the float ones: the image is smaller than the float model's
        byte[] floatImage = PackFixture(tmp, Fixtures.Dir(fixture));
        Assert.True(bytes.Length < floatImage.Length, $"int8 image {bytes.Length} bytes, float {floatImage.Length}");
    }

    [Fact]
    public void Tokenizer_and_config_files_travel_with_the_weights()
    {
        using var tmp = new TempDir();
        string dir = Fixtures.Dir("pipeline-mlm");
        using var image = PackedModelImage.FromBytes(PackFixture(tmp, dir));
        foreach (var name in PackedModelImage.FolderFiles)
        {
            string path = Path.Combine(dir, name);
            Assert.Equal(File.Exists(path), image.Files.ContainsKey(name));
            if (File.Exists(path))
                Assert.True(image.Files[name].Span.SequenceEqual(File.ReadAllBytes(path)), name);
        }
    }

    [Fact]
    public void Empty_folder_file_packs_as_an_empty_section()
    {
        using var tmp = new TempDir();
        string dir = tmp.CopyFixture("tiny");
        File.WriteAllBytes(Path.Combine(dir, "special_tokens_map.json"), []);
        using var image = PackedModelImage.FromBytes(PackFixture(tmp, dir));
        Assert.Equal(0, image.Files["special_tokens_map.json"].Length);
    }

    static PackedModelException Refused(byte[] bytes, AlbertConfig? config = null)
    {
        return Assert.Throws<PackedModelException>(() =>
        {
            using var image = PackedModelImage.FromBytes(bytes, "damaged");
            using var model = CpuAlbertModel.Load(image, config ?? AlbertConfig.Load(Fixtures.Dir("tiny")));
        });
    }

    [Fact]
    public void Damaged_images_are_refused_with_the_reason()
    {
        using var tmp = new TempDir();
        byte[] good = PackFixture(tmp, Fixtures.Dir("tiny"));

        var magic = (byte[])good.Clone();
        magic[0] = (byte)'X';
        Assert.Contains("magic", Refused(magic).Message);

        var version = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(version.AsSpan(8), 99);
        Assert.Contains("format version 99", Refused(version).Message);

        Assert.Contains("truncated", Refused(good[..^64]).Message);
        Assert.Contains("magic", Refused(good[..10]).Message);
        Assert.Contains("magic", Refused([]).Message);

        var panels = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(panels.AsSpan(32), 8);
        Assert.Contains("panels of 8", Refused(panels).Message);

        // first section's offset (after the fingerprint and the first name) pushed past the end
        var offset = (byte[])good.Clone();
        int fp = BinaryPrimitives.ReadInt32LittleEndian(offset.AsSpan(40));
        int at = 44 + fp;
        int nameLength = BinaryPrimitives.ReadInt32LittleEndian(offset.AsSpan(at));
        BinaryPrimitives.WriteUInt64LittleEndian(offset.AsSpan(at + 4 + nameLength + 12), (ulong)good.Length + 64);
        Assert.Contains("outside", Refused(offset).Message);

        // a section's size that does not match its kind and shape
        var size = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(size.AsSpan(at + 4 + nameLength + 4), 7);
        Assert.Contains("expected", Refused(size).Message);
    }

    [Fact]
    public void Another_config_is_refused_naming_the_values()
    {
        using var tmp = new TempDir();
        byte[] good = PackFixture(tmp, Fixtures.Dir("tiny"));
        var other = AlbertConfig.Load(Fixtures.Dir("grouped"));
        var e = Refused(good, other);
        Assert.Contains("packed for another config", e.Message);
        Assert.Contains("num_hidden_", e.Message);
    }

    [Fact]
    public void Missing_resource_is_refused_naming_it()
    {
        var e = Assert.Throws<PackedModelException>(() => PackedModelImage.OpenResource(typeof(PackedModelImageTests).Assembly, "nope.albertpack"));
        Assert.Contains("nope.albertpack", e.Message);
        Assert.Contains("AlbertGenEmbedWeights", e.Message);
    }
}
