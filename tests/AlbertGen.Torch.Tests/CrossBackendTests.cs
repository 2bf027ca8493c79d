using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tests;
using Xunit.Abstractions;

namespace AlbertGen.Torch.Tests;

/// <summary>TorchSharp backend vs the CPU engine and vs the HF reference outputs, on every golden fixture.</summary>
public class CrossBackendTests(ITestOutputHelper log)
{
    static List<string> FixtureNames() =>
        Directory.GetDirectories(Fixtures.Root)
            .Where(d => File.Exists(Path.Combine(d, "expected.safetensors")) && File.Exists(Path.Combine(d, "inputs.json")))
            .Select(d => Path.GetFileName(d)!)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> Names() => new(FixtureNames());

    [Fact]
    public void Fixtures_are_present() => Assert.True(FixtureNames().Count >= 20, "golden fixtures were not copied");

    [TorchTheory]
    [MemberData(nameof(Names))]
    public void Torch_matches_cpu_engine_and_hf_reference(string name)
    {
        string dir = Fixtures.Dir(name);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var torchModel = TorchAlbertBackend.Load(dir, device: "cpu");
        using var cpuModel = CpuAlbertModel.Load(dir, threads: 1);
        var t = torchModel.Forward(batch);
        var c = cpuModel.Forward(batch);

        var cpuOutputs = c.Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        var torchOutputs = t.Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(cpuOutputs.Keys.Order(StringComparer.Ordinal), torchOutputs.Keys.Order(StringComparer.Ordinal));
        double worst = 0;
        foreach (var (key, cv) in cpuOutputs)
        {
            var tv = torchOutputs[key];
            Assert.Equal(cv.Shape, tv.Shape);
            double err = Fixtures.RelativeError(tv.Data, cv.Data);
            worst = Math.Max(worst, err);
            Assert.True(err <= 1e-5, $"{name}/{key}: torch vs cpu relative error {err:E3}");
        }
        Fixtures.AssertMatches(t, Path.Combine(dir, "expected.safetensors"));
        double worstHf = 0;
        using (var expected = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors")))
        {
            foreach (var (key, tv) in torchOutputs)
            {
                var e = expected.GetEntry(key);
                var ev = new float[e.ElementCount];
                expected.ReadAsFloat32(e, ev);
                worstHf = Math.Max(worstHf, Fixtures.RelativeError(tv.Data, ev));
            }
        }
        log.WriteLine($"{name}: max relative error torch vs cpu {worst:E3}, torch vs HF {worstHf:E3}");
    }

    [TorchFact]
    public void State_dict_keys_are_hf_keys()
    {
        var config = AlbertConfig.Load(Fixtures.Dir("groups3-inner2"));
        foreach (var head in AlbertHeads.All)
        {
            using var m = new Modules.AlbertForHead(config, head);
            var keys = m.state_dict().Keys.ToHashSet();
            var expected = AlbertWeightNames.For(config, head).Select(s => s.Name).ToHashSet();
            if (head is AlbertHead.PreTraining or AlbertHead.MaskedLM)
            {
                // HF's state_dict() also lists the tied decoder aliases
                expected.Add("predictions.decoder.weight");
                expected.Add("predictions.decoder.bias");
            }
            Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        }
    }

    [TorchFact]
    public void Decoder_is_tied_to_word_embeddings_and_bias()
    {
        using var m = TorchAlbertBackend.Load(Fixtures.Dir("tiny"), device: "cpu");
        var sd = m.Model.state_dict();
        // shared storage: writing through one name is seen through the other
        using (TorchSharp.torch.no_grad())
        {
            sd["albert.embeddings.word_embeddings.weight"].add_(1.0);
            sd["predictions.bias"].add_(2.0);
        }
        Assert.Equal(0f, (sd["albert.embeddings.word_embeddings.weight"] - sd["predictions.decoder.weight"]).abs().max().item<float>());
        Assert.Equal(0f, (sd["predictions.bias"] - sd["predictions.decoder.bias"]).abs().max().item<float>());
        // shared: each distinct parameter once
        Assert.Equal(AlbertWeightNames.For(m.Config, m.Head).Count, TorchWeights.UniqueParameters(m.Model).Count);
    }

    [TorchTheory]
    [InlineData("tiny")]
    [InlineData("pretraining-untied")]
    [InlineData("bare-names")]
    [InlineData("f16-weights")]
    public void Save_then_load_round_trips_in_both_backends(string name)
    {
        using var tmp = new TempDir();
        string dir = Fixtures.Dir(name);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var a = TorchAlbertBackend.Load(dir, device: "cpu");
        string saved = Path.Combine(tmp.Path, "saved");
        a.SavePretrained(saved);
        using (var file = SafeTensorsFile.Open(Path.Combine(saved, "model.safetensors")))
        {
            Assert.DoesNotContain(file.Tensors, t => t.Name == "predictions.decoder.bias");
            Assert.Equal(a.Config.TieWordEmbeddings, !file.Contains("predictions.decoder.weight") || a.Head is not (AlbertHead.PreTraining or AlbertHead.MaskedLM));
            if (a.Head == AlbertHead.Base)
                Assert.All(file.Tensors, t => Assert.False(t.Name.StartsWith("albert.", StringComparison.Ordinal)));
        }
        var saveConfig = AlbertConfig.Load(saved);
        Assert.Equal([a.Head.HfClassName()], saveConfig.Architectures);
        using var b = TorchAlbertBackend.Load(saved, device: "cpu");
        using var c = CpuAlbertModel.Load(saved, threads: 1);
        var oa = a.Forward(batch).Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in b.Forward(batch).Named())
            Assert.Equal(0.0, Fixtures.RelativeError(v.Data, oa[k].Data));
        foreach (var (k, v) in c.Forward(batch).Named())
            Assert.True(Fixtures.RelativeError(v.Data, oa[k].Data) <= 1e-5, k);
    }

    [TorchFact]
    public void Bad_input_is_rejected_like_the_cpu_engine()
    {
        using var m = TorchAlbertBackend.Load(Fixtures.Dir("tiny"), device: "cpu");
        Assert.Throws<AlbertInputException>(() => m.Forward(new AlbertBatch(1, 2, [1, 500])));
        var badLabel = new AlbertBatch(1, 2, [1, 2]) { Labels = [5, 1000], SentenceOrderLabel = [0] };
        Assert.Throws<AlbertInputException>(() => m.Forward(badLabel));
    }

    [TorchFact]
    public void Device_names_are_parsed()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchRuntime.ParseDevice("cpu").type);
        Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("tpu"));
        var auto = TorchRuntime.ParseDevice("auto");
        Assert.True(auto.type is TorchSharp.DeviceType.CPU or TorchSharp.DeviceType.CUDA);
    }
}
