using AlbertGen.Generators.Tests.Generated;

namespace AlbertGen.Generators.Tests;

/// <summary>The model classes the generator made for this test project at build time (see the AdditionalFiles in the .csproj).</summary>
public static class GeneratedModels
{
    public static readonly (Type Type, string Fixture)[] All =
    [
        (typeof(TinyModel), "tiny"),
        (typeof(Grouped), "grouped"),
        (typeof(Groups3Inner2), "groups3-inner2"),
        (typeof(MaskedLm), "masked-lm"),
        (typeof(SeqclsSingle), "seqcls-single"),
        (typeof(SeqclsMultilabel), "seqcls-multilabel"),
        (typeof(Tokcls), "tokcls"),
        (typeof(Qa), "qa"),
        (typeof(MultipleChoice), "multiple-choice"),
        (typeof(PretrainingUntied), "pretraining-untied"),
        (typeof(BareNames), "bare-names"),
        (typeof(F16Weights), "f16-weights"),
    ];
}
