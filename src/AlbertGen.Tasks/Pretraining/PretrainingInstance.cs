namespace AlbertGen.Tasks.Pretraining;

/// <summary>
/// One pretraining example in HF's keyword form, padded to max_seq_length: masked <c>input_ids</c>, <c>labels</c>
/// (the original id at masked positions, −100 elsewhere), <c>sentence_order_label</c> (1 = segments swapped or B
/// from another document, as ALBERT's <c>is_random_next</c>).
/// </summary>
public sealed record PretrainingInstance(int[] InputIds, int[] TokenTypeIds, int[] AttentionMask, int[] Labels, int SentenceOrderLabel)
{
    public int MaskedCount => Labels.Count(l => l != -100);
}
