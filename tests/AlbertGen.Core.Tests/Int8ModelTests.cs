using System.Runtime.InteropServices;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.Quantization;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

/// <summary>
/// int8 models (docs/quantization.md): quantize → write → load → forward through the CPU engine, checked against the
/// HF reference's golden outputs; and every malformed int8 file refused with a message naming the tensor.
/// </summary>
public class Int8ModelTests
{
    static AlbertBatch Inputs(string fixture) => AlbertBatch.Load(Path.Combine(Fixtures.Dir(fixture), "inputs.json"));

    /// <summary>Quantizes a fixture folder into <paramref name="tmp"/> (config.json copied); returns the folder.</summary>
    internal static string QuantizeFixture(TempDir tmp, string fixture, out int quantized, int weightBits = Int8Quantizer.DefaultWeightBits)
    {
        string dir = Fixtures.Dir(fixture);
        var config = AlbertConfig.Load(dir);
        string outDir = Path.Combine(tmp.Path, $"{fixture}-int8-w{weightBits}");
        Directory.CreateDirectory(outDir);
        using (var ckpt = AlbertCheckpoint.Open(config, Path.Combine(dir, "model.safetensors"), config.DefaultHead))
            quantized = Int8Quantizer.Write(ckpt, Path.Combine(outDir, "model.safetensors"), weightBits);
        File.Copy(Path.Combine(dir, "config.json"), Path.Combine(outDir, "config.json"));
        return outDir;
    }

    /// <summary>Mean cosine over tokens of two (tokens × h) tensors.</summary>
    static double MeanCosine(float[] a, float[] b, int h)
    {
        double sum = 0;
        int n = a.Length / h;
        for (int t = 0; t < n; t++) sum += QuantizationGate.Cosine(a.AsSpan(t * h, h), b.AsSpan(t * h, h));
        return sum / n;
    }

    [Theory]
    [InlineData("tiny", 1 * 6 + 2)]           // pretraining: one shared layer (6 maps), pooler, sop_classifier
    [InlineData("groups3-inner2", 6 * 6 + 1)] // AlbertModel: 3 groups × 2 inner layers, each quantized once; pooler
    [InlineData("seqcls-single", 6 + 2)]
    [InlineData("tokcls", 6 + 1)]             // no pooler in the token-classification head
    [InlineData("qa", 6 + 1)]
    public void Quantized_fixture_runs_close_to_the_hf_reference(string fixture, int expectedInt8)
    {
        using var tmp = new TempDir();
        string dir = QuantizeFixture(tmp, fixture, out int quantized);
        Assert.Equal(expectedInt8, quantized);
        var batch = Inputs(fixture);
        using var int8 = CpuAlbertModel.Load(dir);
        using var fp32 = CpuAlbertModel.Load(Fixtures.Dir(fixture));
        var q = int8.Forward(batch);
        var f = fp32.Forward(batch);
        using var golden = SafeTensorsFile.Open(Path.Combine(Fixtures.Dir(fixture), "expected.safetensors"));
        var expected = golden.ReadFloat32Array("last_hidden_state");
        int h = int8.Config.HiddenSize;
        double cos = MeanCosine(q.LastHiddenState!.Data, expected, h);
        Assert.True(cos >= 0.99, $"{fixture}: int8 last_hidden_state mean cosine {cos:F5} vs the HF reference");
        // the int8 kernels really ran: the result differs from the float engine's, which matches the reference to 1e-5
        Assert.True(Fixtures.RelativeError(f.LastHiddenState!.Data, expected) <= 1e-5);
        Assert.True(Fixtures.RelativeError(q.LastHiddenState!.Data, expected) > 1e-5, $"{fixture}: the int8 output equals the float one");
        foreach (var (name, tensor) in q.Named())
            Assert.All(tensor.Data, x => Assert.True(float.IsFinite(x), $"{name} holds {x}"));
    }

    [Theory]
    [InlineData(7, 64)]
    [InlineData(8, 127)]
    public void Quantized_file_holds_i8_weights_with_per_row_scales_stored_once(int weightBits, int qMax)
    {
        using var tmp = new TempDir();
        string dir = QuantizeFixture(tmp, "tiny", out _, weightBits);
        using var file = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        string ffn = "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight";
        var w = file.GetEntry(ffn);
        Assert.Equal("I8", w.DTypeName);
        Assert.Equal([37, 32], w.Shape);
        var scale = file.GetEntry(ffn + "_scale");
        Assert.Equal("F32", scale.DTypeName);
        Assert.Equal([37], scale.Shape);
        // one copy of the shared layer however many layers (4) use it
        Assert.Single(file.Tensors, t => t.Name.EndsWith(".ffn.weight", StringComparison.Ordinal));
        // embeddings, LayerNorm and biases stay float32
        Assert.Equal("F32", file.GetEntry("albert.embeddings.word_embeddings.weight").DTypeName);
        Assert.Equal("F32", file.GetEntry("albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.bias").DTypeName);
        Assert.Equal("albertgen-int8", file.Metadata["quantization"]);
        // the values: q = round(W / scale) within [−qMax, qMax], and the largest |q| of each row is qMax
        using var source = SafeTensorsFile.Open(Path.Combine(Fixtures.Dir("tiny"), "model.safetensors"));
        var original = source.ReadFloat32Array(ffn);
        var q = MemoryMarshal.Cast<byte, sbyte>(file.GetBytes(w)).ToArray();
        var s = file.ReadFloat32Array(ffn + "_scale");
        for (int j = 0; j < 37; j++)
        {
            Assert.Equal(qMax, q.AsSpan(j * 32, 32).ToArray().Max(x => Math.Abs((int)x)));
            for (int k = 0; k < 32; k++)
                Assert.True(Math.Abs(q[j * 32 + k] * s[j] - original[j * 32 + k]) <= s[j] / 2 * 1.0001f, $"[{j},{k}]");
        }
    }

    // ---- malformed int8 files: each refused by AlbertCheckpoint.Open with the tensor named

    const string Ffn = "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight";
    const string Query = "albert.encoder.albert_layer_groups.0.albert_layers.0.attention.query.weight";

    static string Damaged(TempDir tmp, Func<List<SafeTensorsWriter.RawTensor>, List<SafeTensorsWriter.RawTensor>> damage)
    {
        string dir = Fixtures.Dir("tiny");
        var config = AlbertConfig.Load(dir);
        List<SafeTensorsWriter.RawTensor> tensors;
        using (var ckpt = AlbertCheckpoint.Open(config, Path.Combine(dir, "model.safetensors"), config.DefaultHead))
            tensors = Int8Quantizer.Quantize(ckpt, out _);
        string path = tmp.File("damaged.safetensors");
        SafeTensorsWriter.WriteRaw(path, damage(tensors));
        return path;
    }

    static List<SafeTensorsWriter.RawTensor> Replace(List<SafeTensorsWriter.RawTensor> list, string name, Func<SafeTensorsWriter.RawTensor, SafeTensorsWriter.RawTensor?> f)
    {
        var result = new List<SafeTensorsWriter.RawTensor>();
        foreach (var t in list)
        {
            if (t.Name != name) result.Add(t);
            else if (f(t) is { } r) result.Add(r);
        }
        return result;
    }

    static string OpenError(string path)
    {
        var config = AlbertConfig.Load(Fixtures.Dir("tiny"));
        var e = Assert.Throws<AlbertWeightException>(() => CpuAlbertModel.Load(config, path, config.DefaultHead));
        return e.Message;
    }

    public static TheoryData<string, string> MalformedCases() => new()
    {
        { "missing-scale", "its scale tensor '" + Ffn + "_scale' (F32 [37]) is missing" },
        { "scale-f16", "tensor '" + Ffn + "_scale' has dtype F16; F32 expected" },
        { "scale-shape", "tensor '" + Ffn + "_scale' has shape [36], the config needs [37]" },
        { "scale-negative", "tensor '" + Ffn + "_scale' holds -1; scales must be finite and ≥ 0" },
        { "scale-nan", "tensor '" + Ffn + "_scale' holds NaN; scales must be finite and ≥ 0" },
        { "minus-128", "tensor '" + Ffn + "' holds −128 at element 5; int8 weights must lie in [−127, 127]" },
        { "weight-shape", "tensor '" + Ffn + "' has shape [32, 37], the config needs [37, 32]" },
        { "weight-i16", "tensor '" + Ffn + "' has dtype I16; F32, F16 or BF16 expected (or I8 with a '" + Ffn + "_scale' tensor)" },
        { "i8-embeddings", "tensor 'albert.embeddings.word_embeddings.weight' has dtype I8; F32, F16 or BF16 expected" },
        { "qkv-mix", "are fused into one operand and must all be int8 or all float; found a mix" },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Malformed_int8_files_are_refused_naming_the_tensor(string damage, string message)
    {
        using var tmp = new TempDir();
        string path = Damaged(tmp, list => damage switch
        {
            "missing-scale" => Replace(list, Ffn + "_scale", _ => null),
            "scale-f16" => Replace(list, Ffn + "_scale", t => t with { DType = "F16", Shape = [37], Data = new byte[74] }),
            "scale-shape" => Replace(list, Ffn + "_scale", t => t with { Shape = [36], Data = t.Data[..(36 * 4)] }),
            "scale-negative" => Replace(list, Ffn + "_scale", t => t with { Data = Floats(37, -1f) }),
            "scale-nan" => Replace(list, Ffn + "_scale", t => t with { Data = Floats(37, float.NaN) }),
            "minus-128" => Replace(list, Ffn, t => { var b = t.Data.ToArray(); b[5] = 0x80; return t with { Data = b }; }),
            "weight-shape" => Replace(list, Ffn, t => t with { Shape = [32, 37] }),
            "weight-i16" => Replace(list, Ffn, t => t with { DType = "I16", Data = new byte[37 * 32 * 2] }),
            "i8-embeddings" => Replace(list, "albert.embeddings.word_embeddings.weight", t => t with { DType = "I8", Data = new byte[99 * 16] }),
            "qkv-mix" => Replace(Replace(list, Query + "_scale", _ => null), Query, _ => Float32(Query, [32, 32])),
            _ => throw new ArgumentException(damage),
        });
        if (damage == "qkv-mix")
        {
            var config = AlbertConfig.Load(Fixtures.Dir("tiny"));
            var e = Assert.Throws<AlbertWeightException>(() => CpuAlbertModel.Load(config, path, config.DefaultHead));
            Assert.Contains(message, e.Message);
            return;
        }
        Assert.Contains(message, OpenError(path));
    }

    static byte[] Floats(int n, float value) => MemoryMarshal.AsBytes(Enumerable.Repeat(value, n).ToArray().AsSpan()).ToArray();

    static SafeTensorsWriter.RawTensor Float32(string name, int[] shape) =>
        new(name, "F32", shape, new byte[shape.Aggregate(1, (a, b) => a * b) * 4]);

    [Fact]
    public void Int8_weights_are_not_read_as_floats()
    {
        using var tmp = new TempDir();
        string dir = QuantizeFixture(tmp, "tiny", out _);
        var config = AlbertConfig.Load(dir);
        using var ckpt = AlbertCheckpoint.Open(config, Path.Combine(dir, "model.safetensors"), config.DefaultHead);
        Assert.True(ckpt.IsQuantized);
        Assert.True(ckpt.IsInt8(Ffn));
        var e = Assert.Throws<InvalidOperationException>(() => ckpt.Get(Ffn));
        Assert.Contains("is int8", e.Message);
        Assert.Equal(37, ckpt.GetScales(Ffn).Length);
        Assert.Throws<InvalidOperationException>(() => ckpt.GetInt8("albert.embeddings.word_embeddings.weight"));
        Assert.Throws<ArgumentException>(() => Int8Quantizer.Quantize(ckpt, out _)); // already int8
    }

    [Fact]
    public void Config_quantization_method_is_read_written_and_checked()
    {
        string json = File.ReadAllText(Path.Combine(Fixtures.Dir("tiny"), "config.json")).TrimEnd().TrimEnd('}');
        var c = AlbertConfig.Parse(json + ", \"quantization_config\": {\"quant_method\": \"albertgen-int8\", \"bits\": 8}}");
        Assert.Equal("albertgen-int8", c.QuantizationMethod);
        Assert.Equal("albertgen-int8", AlbertConfig.Parse(c.ToJson()).QuantizationMethod);
        Assert.Null(AlbertConfig.Load(Fixtures.Dir("tiny")).QuantizationMethod);
        var e = Assert.Throws<AlbertConfigException>(() => AlbertConfig.Parse(json + ", \"quantization_config\": {\"quant_method\": \"bitsandbytes\"}}"));
        Assert.Contains("unsupported quantization method 'bitsandbytes'", e.Message);
        Assert.Throws<AlbertConfigException>(() => AlbertConfig.Parse(json + ", \"quantization_config\": 8}"));
    }

    [Fact]
    public void Gate_reports_cosine_and_label_agreement()
    {
        using var tmp = new TempDir();
        string dir = QuantizeFixture(tmp, "seqcls-single", out _);
        var batch = Inputs("seqcls-single");
        using var int8 = CpuAlbertModel.Load(dir);
        using var fp32 = CpuAlbertModel.Load(Fixtures.Dir("seqcls-single"));
        var self = QuantizationGate.Compare(fp32, fp32, [batch]);
        Assert.Equal(1.0, self.MeanCosine, 12);
        Assert.Equal(1.0, self.LabelAgreement);
        Assert.Equal(batch.Rows, self.Labels);
        var r = QuantizationGate.Compare(fp32, int8, [batch]);
        Assert.InRange(r.MeanCosine, 0.99, 1.0 - 1e-9);
        Assert.True(r.MinCosine <= r.MeanCosine);
        Assert.NotNull(r.LabelAgreement);
        Assert.False(r.Passes(1.0, 0));
        Assert.True(r.Passes(0.9, 0));
    }
}
