namespace AlbertGen.Tasks.FineTuning;

/// <summary>One entity: its type and the word range [Start, End] (inclusive) in sentence <see cref="Sentence"/>.</summary>
public readonly record struct Entity(int Sentence, string Type, int Start, int End);

/// <summary>
/// seqeval's default (conlleval) entity scoring for BIO / IOB2 / IOBES tags: chunks are read with conlleval's
/// start-of-chunk / end-of-chunk rules (an I- after O starts a chunk; a type change ends one), and an entity counts as
/// correct when type and both ends match. Precision, recall and F1 are micro-averaged over all entities.
/// </summary>
public static class EntityMetrics
{
    public sealed record Scores(double Precision, double Recall, double F1, int TrueEntities, int PredictedEntities, int Correct);

    public static Scores Score(IReadOnlyList<IReadOnlyList<string>> truth, IReadOnlyList<IReadOnlyList<string>> predicted)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{predicted.Count} predicted sentences for {truth.Count}");
        var gold = new HashSet<Entity>();
        var pred = new HashSet<Entity>();
        for (int s = 0; s < truth.Count; s++)
        {
            if (truth[s].Count != predicted[s].Count)
                throw new ArgumentException($"sentence {s}: {predicted[s].Count} predicted tags for {truth[s].Count} words");
            gold.UnionWith(Entities(truth[s], s));
            pred.UnionWith(Entities(predicted[s], s));
        }
        int correct = gold.Count(pred.Contains);
        double p = pred.Count == 0 ? 0 : (double)correct / pred.Count, r = gold.Count == 0 ? 0 : (double)correct / gold.Count;
        return new Scores(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), gold.Count, pred.Count, correct);
    }

    /// <summary>The chunks of one tag sequence (seqeval <c>get_entities</c>).</summary>
    public static List<Entity> Entities(IReadOnlyList<string> tags, int sentence = 0)
    {
        var result = new List<Entity>();
        string prevTag = "O", prevType = "";
        int begin = 0;
        for (int i = 0; i <= tags.Count; i++)
        {
            var (tag, type) = i < tags.Count ? Split(tags[i]) : ("O", "");
            if (EndOfChunk(prevTag, tag, prevType, type))
                result.Add(new Entity(sentence, prevType, begin, i - 1));
            if (StartOfChunk(prevTag, tag, prevType, type))
                begin = i;
            prevTag = tag;
            prevType = type;
        }
        return result;
    }

    static (string Tag, string Type) Split(string label)
    {
        if (label == "O") return ("O", "");
        string tag = label[..1];
        string rest = label[1..];
        int dash = rest.IndexOf('-');
        string type = dash >= 0 ? rest[(dash + 1)..] : rest; // seqeval: chunk[1:].split('-', maxsplit=1)[-1] or '_'
        return (tag, type.Length == 0 ? "_" : type);
    }

    static bool EndOfChunk(string prevTag, string tag, string prevType, string type) =>
        prevTag is "E" or "S"
        || (prevTag == "B" && tag is "B" or "S" or "O")
        || (prevTag == "I" && tag is "B" or "S" or "O")
        || (prevTag != "O" && prevTag != "." && prevType != type);

    static bool StartOfChunk(string prevTag, string tag, string prevType, string type) =>
        tag is "B" or "S"
        || (prevTag is "E" or "S" or "O" && tag is "E" or "I")
        || (tag != "O" && tag != "." && prevType != type);
}
