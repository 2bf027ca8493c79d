using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Rules;

namespace AlbertGen.Model;

/// <summary>
/// The exact list of HF tensor names and shapes a config and head need, declared once (as llama.cpp declares
/// its tensors) in <c>Rules/WeightTable.cs</c>, shared with the generator. Names are those of an <c>AlbertFor*</c>
/// checkpoint: encoder tensors carry the <c>albert.</c> prefix (bare <c>AlbertModel</c> checkpoints omit it; the
/// loader accepts both). The tied <c>predictions.decoder.*</c> aliases are not listed: like HF, they are tied on load.
/// </summary>
public static class AlbertWeightNames
{
    public const string BasePrefix = WeightTable.BasePrefix;

    public static string Inv(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Name prefix of layer <paramref name="inner"/> of group <paramref name="group"/>.</summary>
    public static string LayerPrefix(int group, int inner) => WeightTable.LayerPrefix(group, inner);

    /// <summary>All tensors for <paramref name="head"/>, in dataflow order.</summary>
    /// <exception cref="AlbertConfigException">The config breaks a size budget (checked before the list is built).</exception>
    public static IReadOnlyList<WeightSpec> For(AlbertConfig c, AlbertHead head)
    {
        var values = c.ToRuleValues();
        if (ConfigRules.CheckSizes(values) is { } v)
            throw new AlbertConfigException(c.SourceName, v.Key, v.Message);
        return WeightTable.For(values, head.Rule()).ConvertAll(e => new WeightSpec(e.Name, e.Shape));
    }
}
