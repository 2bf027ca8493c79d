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

/// <summary>Names of heads: CLI spelling (<c>masked-lm</c>) and HF class names (<c>AlbertForMaskedLM</c>).</summary>
public static class AlbertHeads
{
    public static readonly AlbertHead[] All = Enum.GetValues<AlbertHead>();

    public static string CliName(this AlbertHead head) => head switch
    {
        AlbertHead.Base => "base",
        AlbertHead.PreTraining => "pretraining",
        AlbertHead.MaskedLM => "masked-lm",
        AlbertHead.SequenceClassification => "sequence-classification",
        AlbertHead.TokenClassification => "token-classification",
        AlbertHead.QuestionAnswering => "question-answering",
        AlbertHead.MultipleChoice => "multiple-choice",
        _ => throw new ArgumentOutOfRangeException(nameof(head)),
    };

    public static string HfClassName(this AlbertHead head) => head switch
    {
        AlbertHead.Base => "AlbertModel",
        AlbertHead.PreTraining => "AlbertForPreTraining",
        AlbertHead.MaskedLM => "AlbertForMaskedLM",
        AlbertHead.SequenceClassification => "AlbertForSequenceClassification",
        AlbertHead.TokenClassification => "AlbertForTokenClassification",
        AlbertHead.QuestionAnswering => "AlbertForQuestionAnswering",
        AlbertHead.MultipleChoice => "AlbertForMultipleChoice",
        _ => throw new ArgumentOutOfRangeException(nameof(head)),
    };

    public static bool TryParseCliName(string name, out AlbertHead head)
    {
        foreach (var h in All)
        {
            if (string.Equals(h.CliName(), name, StringComparison.OrdinalIgnoreCase))
            {
                head = h;
                return true;
            }
        }
        head = default;
        return false;
    }

    public static bool TryParseHfClassName(string name, out AlbertHead head)
    {
        foreach (var h in All)
        {
            if (h.HfClassName() == name)
            {
                head = h;
                return true;
            }
        }
        head = default;
        return false;
    }

    /// <summary>Whether HF builds this class's <c>AlbertModel</c> with a pooler (<c>add_pooling_layer</c>).</summary>
    public static bool HasPooler(this AlbertHead head) =>
        head is AlbertHead.Base or AlbertHead.PreTraining or AlbertHead.SequenceClassification or AlbertHead.MultipleChoice;
}
