namespace AlbertGen.Tasks;

/// <summary>
/// HF <c>TokenClassificationPipeline.group_entities</c> (transformers/pipelines/token_classification.py): adjacent
/// tokens merge while their tags agree and the next one is not a B- tag; a label without a B-/I- prefix counts as I-.
/// </summary>
public static class EntityGrouping
{
    /// <summary>HF <c>get_tag</c>: ("B", tag) for "B-tag", ("I", tag) for "I-tag", ("I", label) otherwise.</summary>
    public static (char Bi, string Tag) GetTag(string label) =>
        label.StartsWith("B-", StringComparison.Ordinal) ? ('B', label[2..])
        : label.StartsWith("I-", StringComparison.Ordinal) ? ('I', label[2..])
        : ('I', label);

    /// <summary>
    /// Groups the per-token predictions of one text (all of them, ignored labels included: HF filters after grouping);
    /// <paramref name="tokensToString"/> is the tokenizer's <c>convert_tokens_to_string</c>.
    /// </summary>
    public static List<GroupedEntity> Group(IReadOnlyList<TokenEntity> entities, Func<IReadOnlyList<string>, string> tokensToString)
    {
        var groups = new List<GroupedEntity>();
        var current = new List<TokenEntity>();
        foreach (var e in entities)
        {
            if (current.Count > 0)
            {
                var (bi, tag) = GetTag(e.Entity);
                if (tag != GetTag(current[^1].Entity).Tag || bi == 'B')
                {
                    groups.Add(SubGroup(current, tokensToString));
                    current.Clear();
                }
            }
            current.Add(e);
        }
        if (current.Count > 0) groups.Add(SubGroup(current, tokensToString));
        return groups;
    }

    // HF group_sub_entities: the first token's label after its first '-', the mean score, the tokens as text
    static GroupedEntity SubGroup(List<TokenEntity> tokens, Func<IReadOnlyList<string>, string> tokensToString)
    {
        string first = tokens[0].Entity;
        int dash = first.IndexOf('-', StringComparison.Ordinal);
        double sum = 0;
        foreach (var t in tokens) sum += t.Score;
        return new GroupedEntity(dash < 0 ? first : first[(dash + 1)..], (float)(sum / tokens.Count),
            tokensToString(tokens.Select(t => t.Word).ToArray()), tokens[0].Start, tokens[^1].End);
    }
}
