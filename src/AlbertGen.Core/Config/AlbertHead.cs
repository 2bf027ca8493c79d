using AlbertGen.Rules;

namespace AlbertGen.Config;

/// <summary>Which HF model class a forward computes: the bare <c>AlbertModel</c> or one of the <c>AlbertFor*</c> heads.</summary>
public enum AlbertHead
{
    /// <summary><c>AlbertModel</c>: last_hidden_state, pooler_output.</summary>
    Base,
    /// <summary><c>AlbertForPreTraining</c>: prediction_logits, sop_logits.</summary>
    PreTraining,
    /// <summary><c>AlbertForMaskedLM</c>: logits over the vocabulary.</summary>
    MaskedLM,
    /// <summary><c>AlbertForSequenceClassification</c>: logits (batch, num_labels).</summary>
    SequenceClassification,
    /// <summary><c>AlbertForTokenClassification</c>: logits (batch, seq, num_labels).</summary>
    TokenClassification,
    /// <summary><c>AlbertForQuestionAnswering</c>: start_logits, end_logits.</summary>
    QuestionAnswering,
    /// <summary><c>AlbertForMultipleChoice</c>: logits (batch, num_choices).</summary>
    MultipleChoice,
}

/// <summary>
/// Names of heads: CLI spelling (<c>masked-lm</c>) and HF class names (<c>AlbertForMaskedLM</c>), from the head table
/// shared with the generator (<c>Rules/HeadTable.cs</c>, rows in this enum's order).
/// </summary>
public static class AlbertHeads
{
    public static readonly AlbertHead[] All = Enum.GetValues<AlbertHead>();

    public static string CliName(this AlbertHead head) => head.Rule().CliName;

    public static string HfClassName(this AlbertHead head) => head.Rule().HfClassName;

    public static bool TryParseCliName(string name, out AlbertHead head) => TryGet(HeadTable.ByCliName(name), out head);

    public static bool TryParseHfClassName(string name, out AlbertHead head) => TryGet(HeadTable.ByHfClassName(name), out head);

    /// <summary>Whether HF builds this class's <c>AlbertModel</c> with a pooler (<c>add_pooling_layer</c>).</summary>
    public static bool HasPooler(this AlbertHead head) => head.Rule().HasPooler;

    /// <summary>The head's row of the shared head table.</summary>
    internal static HeadRule Rule(this AlbertHead head) =>
        (uint)head < (uint)HeadTable.Rows.Length ? HeadTable.Rows[(int)head] : throw new ArgumentOutOfRangeException(nameof(head));

    static bool TryGet(HeadRule? rule, out AlbertHead head)
    {
        head = rule is null ? default : (AlbertHead)Array.IndexOf(HeadTable.Rows, rule);
        return rule is not null;
    }
}
