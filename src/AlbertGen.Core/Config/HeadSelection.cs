using System.Globalization;
using System.Text.Json.Nodes;
using AlbertGen.Rules;

namespace AlbertGen.Config;

/// <summary>HF's three <c>problem_type</c>s of <c>AlbertForSequenceClassification</c>, each with its loss (in the order of the rules' <c>ProblemTypes</c>).</summary>
public enum ProblemType
{
    /// <summary><c>regression</c>: <c>MSELoss</c> over the outputs.</summary>
    Regression,
    /// <summary><c>single_label_classification</c>: <c>CrossEntropyLoss</c> over integer labels.</summary>
    SingleLabelClassification,
    /// <summary><c>multi_label_classification</c>: <c>BCEWithLogitsLoss</c> over 0/1 targets.</summary>
    MultiLabelClassification,
}

/// <summary>
/// The choices HF makes about a head that both backends (CPU engine, TorchSharp) and the tasks layer must make the
/// same way: which loss a sequence classifier takes (<c>problem_type</c> inference) and how a pretrained config becomes
/// a task's config (<c>architectures</c>, <c>id2label</c>/<c>label2id</c>, <c>problem_type</c>).
/// </summary>
public static class HeadSelection
{
    /// <summary>HF's config spelling of <paramref name="problemType"/> (the rules' <c>ProblemTypes</c> table, in enum order).</summary>
    public static string HfName(this ProblemType problemType) =>
        (uint)problemType < (uint)ConfigRules.ProblemTypes.Length ? ConfigRules.ProblemTypes[(int)problemType]
        : throw new ArgumentOutOfRangeException(nameof(problemType));

    /// <summary>Parses HF's spelling (<c>regression</c>, <c>single_label_classification</c>, <c>multi_label_classification</c>).</summary>
    public static bool TryParseProblemType(string? name, out ProblemType problemType)
    {
        int i = name is null ? -1 : Array.IndexOf(ConfigRules.ProblemTypes, name);
        problemType = (ProblemType)Math.Max(i, 0);
        return i >= 0;
    }

    /// <summary>
    /// The loss <c>AlbertForSequenceClassification.forward</c> picks: <c>problem_type</c> from the config, else regression
    /// for one label, single-label for integer labels, multi-label otherwise.
    /// </summary>
    public static ProblemType SequenceClassificationProblem(AlbertConfig config, bool integerLabels) =>
        TryParseProblemType(config.ProblemType, out var p) ? p
        : config.NumLabels == 1 ? ProblemType.Regression
        : integerLabels ? ProblemType.SingleLabelClassification
        : ProblemType.MultiLabelClassification;

    /// <summary>
    /// <paramref name="pretrained"/> made into a task config: <c>architectures</c> = the head's HF class, and for
    /// labelled heads <c>id2label</c> / <c>label2id</c> (so <c>num_labels</c>) and <c>problem_type</c>.
    /// </summary>
    public static AlbertConfig TaskConfig(AlbertConfig pretrained, AlbertHead head, IReadOnlyList<string>? labels = null, string? problemType = null)
    {
        var json = JsonNode.Parse(pretrained.ToJson())!.AsObject();
        json["architectures"] = new JsonArray(head.HfClassName());
        json.Remove("problem_type");
        if (labels is not null)
        {
            var id2label = new JsonObject();
            var label2id = new JsonObject();
            for (int i = 0; i < labels.Count; i++)
            {
                id2label[i.ToString(CultureInfo.InvariantCulture)] = labels[i];
                label2id[labels[i]] = i;
            }
            json["id2label"] = id2label;
            json["label2id"] = label2id;
            json.Remove("num_labels");
        }
        if (problemType is not null) json["problem_type"] = problemType;
        return AlbertConfig.Parse(json.ToJsonString(), pretrained.SourceName);
    }
}
