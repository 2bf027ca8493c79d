using AlbertGen.Config;
using AlbertGen.Generators.Model;
using AlbertGen.Model;

namespace AlbertGen.Generators.Tests;

/// <summary>The generator and the runtime agree: same tensor list per head, same config values.</summary>
public class WeightListTests
{
    public static TheoryData<string> FixtureNames() => new(Directory.GetDirectories(Fixtures.Root).Where(d => File.Exists(Path.Combine(d, "config.json"))).Select(Path.GetFileName)!);

    static ModelSpec Spec(string path, string json)
    {
        var result = Parser.Parse(new ConfigFileInput(path, json, "M", "N", null), CancellationToken.None);
        Assert.Empty(result.Diagnostics);
        return result.Spec!;
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Generator_weight_list_equals_AlbertWeightNames_for_every_head(string fixture)
    {
        string json = File.ReadAllText(Fixtures.Config(fixture));
        var spec = Spec(Fixtures.Config(fixture), json);
        var config = AlbertConfig.Parse(json);
        // every head, not just the ones the config names: the list must agree wherever it is used
        foreach (var head in AlbertHeads.All)
        {
            var generated = WeightList.For(spec, head.ToString()).Select(w => (w.Name, string.Join(",", w.Shape))).ToList();
            var runtime = AlbertWeightNames.For(config, head).Select(w => (w.Name, string.Join(",", w.Shape))).ToList();
            Assert.Equal(runtime, generated);
        }
    }

    [Fact]
    public void Google_config_weight_list_and_values_equal_the_runtime_parse()
    {
        var spec = Spec("/m/albert_config.json", SnapshotTests.GoogleBaseConfig);
        var config = AlbertConfig.Parse(SnapshotTests.GoogleBaseConfig);
        Assert.True(spec.IsGoogleFormat);
        Assert.True(config.IsGoogleFormat);
        Assert.Equal("gelu_new", spec.HiddenAct);
        Assert.Equal(config.HiddenAct, spec.HiddenAct);
        Assert.Equal(config.Activation.ToString(), spec.ActivationKind);
        foreach (var head in AlbertHeads.All)
        {
            Assert.Equal(AlbertWeightNames.For(config, head).Select(w => w.Name + string.Join(",", w.Shape)),
                WeightList.For(spec, head.ToString()).Select(w => w.Name + string.Join(",", w.Shape)));
        }
    }

    [Fact]
    public void Layer_group_table_follows_hf_formula_with_float_division()
    {
        // 7 layers, 3 groups: int(i / (7 / 3)) = 0,0,0,1,1,2,2  (integer division would give 0,0,1,1,2,2,3)
        var spec = Spec(Fixtures.Config("groups3-inner2"), File.ReadAllText(Fixtures.Config("groups3-inner2")));
        Assert.Equal([0, 0, 0, 1, 1, 2, 2], spec.LayerGroups);
        var config = AlbertConfig.Parse(File.ReadAllText(Fixtures.Config("groups3-inner2")));
        Assert.Equal(Enumerable.Range(0, 7).Select(config.GroupOfLayer), spec.LayerGroups);
    }

    [Fact]
    public void Statically_generated_weight_specs_equal_AlbertWeightNames()
    {
        foreach (var (type, dir) in GeneratedModels.All)
        {
            var config = AlbertConfig.Load(Fixtures.Dir(dir));
            var heads = (IReadOnlyList<AlbertHead>)type.GetProperty("Heads")!.GetValue(null)!;
            var weightSpecs = type.GetMethod("WeightSpecs")!;
            foreach (var head in heads)
            {
                var generated = (IReadOnlyList<WeightSpec>)weightSpecs.Invoke(null, [head])!;
                Assert.Equal(AlbertWeightNames.For(config, head).Select(w => w.Name + w.ShapeText), generated.Select(w => w.Name + w.ShapeText));
            }
        }
    }

    [Fact]
    public void Statically_generated_configs_equal_the_runtime_parse_of_the_same_file()
    {
        foreach (var (type, dir) in GeneratedModels.All)
        {
            var generated = (AlbertConfig)type.GetProperty("ModelConfig")!.GetValue(null)!;
            var parsed = AlbertConfig.Load(Fixtures.Dir(dir));
            Assert.Equal(parsed.ToJson(), generated.ToJson());
            Assert.Equal(parsed.IsGoogleFormat, generated.IsGoogleFormat);
            Assert.Equal(parsed.DefaultHead, (AlbertHead)type.GetField("DefaultHead")!.GetValue(null)!);
        }
    }
}
