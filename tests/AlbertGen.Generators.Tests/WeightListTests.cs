using AlbertGen.Config;
using AlbertGen.Generators.Model;
using AlbertGen.Model;

namespace AlbertGen.Generators.Tests;

/// <summary>The generator and the runtime agree: same config values, and the generated tensor lists equal the runtime's.</summary>
public class WeightListTests
{
    public static TheoryData<string> FixtureNames() => new(Directory.GetDirectories(Fixtures.Root).Where(d => File.Exists(Path.Combine(d, "config.json"))).Select(Path.GetFileName)!);

    static ModelSpec Spec(string path, string json)
    {
        var result = Parser.Parse(new ConfigFileInput(path, json, "M", "N", null), CancellationToken.None);
        Assert.Empty(result.Diagnostics);
        return result.Spec!;
    }

    /// <summary>
    /// The weight list and the checks are one copy (src/AlbertGen.Core/Rules); what can still differ is what the two
    /// JSON readers (the generator's own, System.Text.Json in Core) hand them. Every value the rules read must agree.
    /// </summary>
    static void AssertSameRuleValues(ModelSpec spec, AlbertConfig config)
    {
        var values = spec.Rules;
        foreach (var p in values.GetType().GetProperties())
        {
            var runtime = typeof(AlbertConfig).GetProperty(p.Name) ?? throw new InvalidOperationException($"AlbertConfig has no {p.Name}");
            Assert.True(Equals(runtime.GetValue(config), p.GetValue(values)), $"{p.Name}: runtime {runtime.GetValue(config)}, generator {p.GetValue(values)}");
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Generator_reader_gives_the_rules_the_values_the_runtime_parse_gives(string fixture)
    {
        string json = File.ReadAllText(Fixtures.Config(fixture));
        AssertSameRuleValues(Spec(Fixtures.Config(fixture), json), AlbertConfig.Parse(json));
    }

    [Fact]
    public void Google_config_values_equal_the_runtime_parse()
    {
        var spec = Spec("/m/albert_config.json", SnapshotTests.GoogleBaseConfig);
        var config = AlbertConfig.Parse(SnapshotTests.GoogleBaseConfig);
        Assert.True(spec.IsGoogleFormat);
        Assert.True(config.IsGoogleFormat);
        Assert.Equal("gelu_new", spec.HiddenAct);
        Assert.Equal(config.Activation.ToString(), spec.ActivationKind);
        AssertSameRuleValues(spec, config);
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
