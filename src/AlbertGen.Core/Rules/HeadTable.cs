// Shared ALBERT rules (see AlbertDefaults.cs): compiled into Core and linked into the generator.
namespace AlbertGen.Rules;

/// <summary>
/// One HF model class: <c>AlbertModel</c> or an <c>AlbertFor*</c> head. <see cref="Member"/> is the name of its
/// <c>AlbertGen.Config.AlbertHead</c> member; <see cref="HeadTable.Rows"/> lists them in the enum's order.
/// </summary>
/// <param name="HasPooler">HF builds this class's <c>AlbertModel</c> with a pooler (<c>add_pooling_layer</c>).</param>
/// <param name="HasPredictions">The masked-LM head (<c>predictions.*</c>, decoder tied to the word embeddings unless <c>tie_word_embeddings</c> is false).</param>
/// <param name="Classifier">Name prefix of the head's final linear layer (<c>classifier</c>, <c>qa_outputs</c>...), or null.</param>
/// <param name="ClassifierOutputs"><see cref="Dim.Labels"/> (num_labels rows) or <see cref="Dim.One"/> (multiple choice: one score per choice).</param>
/// <param name="RequiredLabels">The number of labels the head needs (question answering: start and end), or 0 for any.</param>
internal sealed record HeadRule(
    string Member, string HfClassName, string CliName, bool HasPooler, bool HasPredictions,
    string? Classifier, Dim ClassifierOutputs, int RequiredLabels);

/// <summary>The ALBERT classes, in <c>AlbertHead</c> order (the order the typed API lists them; <c>AlbertModel</c>, the default, first).</summary>
internal static class HeadTable
{
    public static readonly HeadRule[] Rows =
    {
        new("Base", "AlbertModel", "base", HasPooler: true, HasPredictions: false, null, Dim.One, 0),
        new("PreTraining", "AlbertForPreTraining", "pretraining", HasPooler: true, HasPredictions: true, "sop_classifier.classifier", Dim.Labels, 0),
        new("MaskedLM", "AlbertForMaskedLM", "masked-lm", HasPooler: false, HasPredictions: true, null, Dim.One, 0),
        new("SequenceClassification", "AlbertForSequenceClassification", "sequence-classification", HasPooler: true, HasPredictions: false, "classifier", Dim.Labels, 0),
        new("TokenClassification", "AlbertForTokenClassification", "token-classification", HasPooler: false, HasPredictions: false, "classifier", Dim.Labels, 0),
        new("QuestionAnswering", "AlbertForQuestionAnswering", "question-answering", HasPooler: false, HasPredictions: false, "qa_outputs", Dim.Labels, 2),
        new("MultipleChoice", "AlbertForMultipleChoice", "multiple-choice", HasPooler: true, HasPredictions: false, "classifier", Dim.One, 0),
    };

    public static HeadRule? ByMember(string member) => Find(r => r.Member == member);

    public static HeadRule? ByHfClassName(string hfClassName) => Find(r => r.HfClassName == hfClassName);

    /// <summary>CLI spelling, compared ignoring case (<c>masked-lm</c>).</summary>
    public static HeadRule? ByCliName(string cliName) => Find(r => string.Equals(r.CliName, cliName, System.StringComparison.OrdinalIgnoreCase));

    /// <summary>The HF class names, comma-separated (for error messages).</summary>
    public static string KnownHfClassNames()
    {
        var names = new string[Rows.Length];
        for (int i = 0; i < names.Length; i++)
            names[i] = Rows[i].HfClassName;
        return string.Join(", ", names);
    }

    private static HeadRule? Find(System.Predicate<HeadRule> match) => System.Array.Find(Rows, match);
}
