using System.IO.Compression;
using AlbertGen.Checkpoints;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

/// <summary>
/// pytorch_model.bin (scripts/make_bin_fixtures.py): each bin-* folder against its safetensors twin, the reader's
/// dtypes and views, the hostile pickle, and truncated or mangled files.
/// </summary>
public class PyTorchBinTests
{
    const string Marker = "/tmp/albertgen-pwned";

    public static TheoryData<string, string, string> Twins => new()
    {
        { "bin-zip", "tiny", "zip" },
        { "bin-legacy", "tiny", "legacy" },
        { "bin-f16", "f16-weights", "zip" },
        { "bin-tied", "tiny", "legacy" },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void Bin_folder_gives_the_outputs_of_its_safetensors_twin(string bin, string twin, string format)
    {
        string dir = Fixtures.Dir(bin);
        Assert.Equal(Path.Combine(dir, "pytorch_model.bin"), CheckpointFiles.Find(dir));
        using (var file = (PyTorchBinFile)CheckpointFiles.Open(CheckpointFiles.Find(dir)))
            Assert.Equal(format, file.Format);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var fromBin = CpuAlbertModel.Load(dir);
        using var fromTwin = CpuAlbertModel.Load(Fixtures.Dir(twin));
        var a = fromBin.Forward(batch);
        Fixtures.AssertMatches(a, Path.Combine(dir, "expected.safetensors"));
        // same weights, same engine: the outputs are the twin's to the bit
        var b = fromTwin.Forward(batch).Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, t) in a.Named())
            Assert.Equal(0, Fixtures.RelativeError(t.Data, b[name].Data));
    }

    [Theory]
    [MemberData(nameof(Twins))]
    public void Every_twin_tensor_reads_the_same_floats(string bin, string twin, string format)
    {
        _ = format;
        using var b = CheckpointFiles.Open(Path.Combine(Fixtures.Dir(bin), "pytorch_model.bin"));
        using var s = SafeTensorsFile.Open(Path.Combine(Fixtures.Dir(twin), "model.safetensors"));
        foreach (var e in s.Tensors)
        {
            var be = b.GetEntry(e.Name);
            Assert.Equal(e.Shape, be.Shape);
            Assert.Equal(e.DTypeName, be.DTypeName);
            Assert.Equal(s.ReadFloat32Array(e.Name), b.ReadFloat32Array(e.Name));
            Assert.Equal(s.GetFloat32(e).ToArray(), b.GetFloat32(be).ToArray());
        }
    }

    [Fact]
    public void Tied_keys_share_one_storage_and_views_are_materialised()
    {
        using var f = CheckpointFiles.Open(Path.Combine(Fixtures.Dir("bin-tied"), "pytorch_model.bin"));
        Assert.Equal(f.ReadFloat32Array("albert.embeddings.word_embeddings.weight"), f.ReadFloat32Array("predictions.decoder.weight"));
        Assert.Equal(f.ReadFloat32Array("predictions.bias"), f.ReadFloat32Array("predictions.decoder.bias"));
        // Q, K, V: row slices of one (96, 32) storage at offsets 0, 1024, 2048
        const string p = "albert.encoder.albert_layer_groups.0.albert_layers.0.attention.";
        var k = f.GetEntry(p + "key.weight");
        Assert.Equal(1024 * 4, k.Begin);
        Assert.Equal([32, 32], k.Shape);
        // the transposed view: (32, 16) with strides (1, 32) spans the whole 512-element storage
        var m = f.GetEntry("albert.encoder.embedding_hidden_mapping_in.weight");
        Assert.Equal([32, 16], m.Shape);
        Assert.Equal(512 * 4, m.ByteLength);
    }

    [Fact]
    public void Dtypes_offsets_and_strides_read_as_float32()
    {
        string dir = Fixtures.Dir("bin-dtypes");
        using var f = CheckpointFiles.Open(Path.Combine(dir, "pytorch_model.bin"));
        using var expected = SafeTensorsFile.Open(Path.Combine(dir, "tensors.safetensors"));
        Assert.Equal(10, f.Tensors.Count);
        foreach (var e in expected.Tensors)
        {
            var be = f.GetEntry(e.Name);
            Assert.Equal(e.Shape, be.Shape);
            Assert.Equal(expected.ReadFloat32Array(e.Name), f.ReadFloat32Array(e.Name));
            Assert.Equal(expected.ReadFloat32Array(e.Name), f.GetFloat32(be).ToArray());
        }
        Assert.Equal("BF16", f.GetEntry("bf16").DTypeName);
        Assert.Equal("F16", f.GetEntry("f16").DTypeName);
        Assert.Empty(f.GetEntry("scalar").Shape);
        foreach (var (name, dtype) in new[] { ("ints", "I64"), ("doubles", "F64") })
        {
            var e = f.GetEntry(name);
            Assert.Equal(dtype, e.DTypeName);
            var ex = Assert.Throws<CheckpointException>(() => f.ReadFloat32Array(name));
            Assert.Contains(dtype, ex.Message);
        }
    }

    [Fact]
    public void Integer_buffers_are_listed_and_do_not_stop_a_load()
    {
        // real HF checkpoints carry albert.embeddings.position_ids (int64); bin-zip has it
        using var f = CheckpointFiles.Open(Path.Combine(Fixtures.Dir("bin-zip"), "pytorch_model.bin"));
        Assert.Equal("I64", f.GetEntry("albert.embeddings.position_ids").DTypeName);
        Assert.Equal([1, 64], f.GetEntry("albert.embeddings.position_ids").Shape);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("legacy.bin")]
    public void Hostile_pickle_is_refused_naming_its_global_and_runs_nothing(string name)
    {
        if (File.Exists(Marker)) File.Delete(Marker);
        string path = Path.Combine(Fixtures.Dir("bin-hostile"), name);
        var ex = Assert.Throws<CheckpointException>(() => CheckpointFiles.Open(path).Dispose());
        Assert.Contains("'posix.system' is not allowed", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void Hostile_folder_is_refused_by_the_engine_loader()
    {
        if (File.Exists(Marker)) File.Delete(Marker);
        var ex = Assert.Throws<CheckpointException>(() => CpuAlbertModel.Load(Fixtures.Dir("bin-hostile")).Dispose());
        Assert.Contains("posix.system", ex.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void Folder_prefers_safetensors_and_names_what_it_found_when_neither()
    {
        using var tmp = new TempDir();
        File.Copy(Path.Combine(Fixtures.Dir("bin-zip"), "pytorch_model.bin"), tmp.File("pytorch_model.bin"));
        File.Copy(Path.Combine(Fixtures.Dir("tiny"), "config.json"), tmp.File("config.json"));
        Assert.Equal(tmp.File("pytorch_model.bin"), CheckpointFiles.Find(tmp.Path));
        File.Copy(Path.Combine(Fixtures.Dir("tiny"), "model.safetensors"), tmp.File("model.safetensors"));
        Assert.Equal(tmp.File("model.safetensors"), CheckpointFiles.Find(tmp.Path));
        File.Delete(tmp.File("model.safetensors"));
        File.Move(tmp.File("pytorch_model.bin"), tmp.File("tf_model.h5"));
        var ex = Assert.Throws<FileNotFoundException>(() => CpuAlbertModel.Load(tmp.Path));
        Assert.Equal($"no weights: expected model.safetensors or pytorch_model.bin in {tmp.Path} (found: config.json, tf_model.h5)", ex.Message);
    }

    [Theory]
    [InlineData("bin-zip")]
    [InlineData("bin-legacy")]
    [InlineData("bin-tied")]
    public void Truncated_files_give_clear_errors(string fixture)
    {
        byte[] whole = File.ReadAllBytes(Path.Combine(Fixtures.Dir(fixture), "pytorch_model.bin"));
        using var tmp = new TempDir();
        string path = tmp.File("pytorch_model.bin");
        var cuts = Enumerable.Range(0, 60).Select(i => (int)((long)whole.Length * i / 60)).Concat([1, 3, 4, 5, 100, whole.Length - 1]);
        foreach (int cut in cuts.Distinct())
        {
            File.WriteAllBytes(path, whole[..cut]);
            var ex = Assert.Throws<CheckpointException>(() => ReadAll(path));
            Assert.Contains(path, ex.Message);
        }
    }

    [Fact]
    public void Garbage_is_not_taken_for_a_checkpoint()
    {
        using var tmp = new TempDir();
        string path = tmp.File("pytorch_model.bin");
        var rng = new Random(16);
        foreach (byte[] head in new[] { "PK\u0003\u0004"u8.ToArray(), [0x80, 0x02, 0x8a, 0x0a], [0x80, 0x02], "{\"a\":1}"u8.ToArray() })
        {
            var bytes = new byte[4096];
            rng.NextBytes(bytes);
            head.CopyTo(bytes, 0);
            File.WriteAllBytes(path, bytes);
            Assert.Throws<CheckpointException>(() => ReadAll(path));
        }
        File.WriteAllBytes(path, []);
        Assert.Contains("too short", Assert.Throws<CheckpointException>(() => ReadAll(path)).Message);
    }

    /// <summary>Random byte changes in the pickle: every outcome is a good read or a <see cref="CheckpointException"/> (40,000 rounds once locally).</summary>
    [Theory]
    [InlineData("bin-zip")]
    [InlineData("bin-tied")]
    public void Mangled_pickles_fail_cleanly(string fixture)
    {
        string source = Path.Combine(Fixtures.Dir(fixture), "pytorch_model.bin");
        using var tmp = new TempDir();
        string path = tmp.File("pytorch_model.bin");
        var rng = new Random(1234);
        bool zip = fixture == "bin-zip";
        byte[] pickle = zip ? ZipEntry(source, "data.pkl") : File.ReadAllBytes(source);
        int region = zip ? pickle.Length : 4600; // legacy: the pickles come first (the state dict pickle ends near byte 4500)
        int refused = 0;
        for (int round = 0; round < 300; round++)
        {
            var bytes = (byte[])pickle.Clone();
            for (int k = rng.Next(1, 4); k > 0; k--)
                bytes[rng.Next(region)] = (byte)rng.Next(256);
            if (zip) WriteZipWithPickle(source, path, bytes);
            else File.WriteAllBytes(path, bytes);
            try
            {
                ReadAll(path);
            }
            catch (CheckpointException)
            {
                refused++;
            }
        }
        Assert.True(refused > 30, $"only {refused} of 300 mangled pickles were refused");
    }

    /// <summary>Random byte changes anywhere (zip headers and central directory, legacy counts, data): the same two outcomes.</summary>
    [Theory]
    [InlineData("bin-zip")]
    [InlineData("bin-legacy")]
    public void Mangled_files_fail_cleanly(string fixture)
    {
        byte[] whole = File.ReadAllBytes(Path.Combine(Fixtures.Dir(fixture), "pytorch_model.bin"));
        using var tmp = new TempDir();
        string path = tmp.File("pytorch_model.bin");
        var rng = new Random(7);
        for (int round = 0; round < 300; round++)
        {
            var bytes = (byte[])whole.Clone();
            for (int k = rng.Next(1, 6); k > 0; k--)
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            File.WriteAllBytes(path, bytes);
            try
            {
                ReadAll(path);
            }
            catch (CheckpointException)
            {
            }
        }
    }

    static void ReadAll(string path)
    {
        using var f = CheckpointFiles.Open(path);
        foreach (var e in f.Tensors)
        {
            if (e.DType is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16)
                _ = f.ReadFloat32Array(e.Name);
        }
    }

    static byte[] ZipEntry(string path, string suffix)
    {
        using var z = ZipFile.OpenRead(path);
        var e = z.Entries.Single(x => x.FullName.EndsWith(suffix, StringComparison.Ordinal));
        using var s = e.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    static void WriteZipWithPickle(string source, string target, byte[] pickle)
    {
        using var src = ZipFile.OpenRead(source);
        using var fs = File.Create(target);
        using var dst = new ZipArchive(fs, ZipArchiveMode.Create);
        foreach (var e in src.Entries)
        {
            var ne = dst.CreateEntry(e.FullName, CompressionLevel.NoCompression);
            using var w = ne.Open();
            if (e.FullName.EndsWith("data.pkl", StringComparison.Ordinal)) w.Write(pickle);
            else { using var r = e.Open(); r.CopyTo(w); }
        }
    }
}
