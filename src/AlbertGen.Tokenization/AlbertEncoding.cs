namespace AlbertGen.Tokenization;

/// <summary>How to shorten an encoding that exceeds <c>maxLength</c> (HF <c>TruncationStrategy</c>).</summary>
public enum TruncationStrategy
{
    /// <summary>Remove one token at a time from the longer sequence (the second on ties).</summary>
    LongestFirst,
    OnlyFirst,
    OnlySecond,
    DoNotTruncate,
}

/// <summary>Padding for <see cref="AlbertTokenizer.EncodeBatch"/> (HF <c>PaddingStrategy</c>); always on the right.</summary>
public enum PaddingStrategy
{
    DoNotPad,
    /// <summary>Pad to the longest encoding of the batch.</summary>
    Longest,
    /// <summary>Pad to <c>maxLength</c>.</summary>
    MaxLength,
}

/// <summary>
/// One encoded text (or text pair): the model inputs plus, for each token, its piece and its span in
/// the original text (UTF-16 chars; added special tokens and padding have (0, 0)).
/// </summary>
public sealed class AlbertEncoding
{
    public AlbertEncoding(int[] ids, string[] pieces, int[] tokenTypeIds, int[] attentionMask, (int Start, int End)[] offsets, int[] specialTokensMask)
    {
        int n = ids.Length;
        if (pieces.Length != n || tokenTypeIds.Length != n || attentionMask.Length != n || offsets.Length != n || specialTokensMask.Length != n)
        {
            throw new ArgumentException("all arrays of an encoding must have the same length");
        }
        Ids = ids;
        Pieces = pieces;
        TokenTypeIds = tokenTypeIds;
        AttentionMask = attentionMask;
        Offsets = offsets;
        SpecialTokensMask = specialTokensMask;
    }

    public int[] Ids { get; }

    public string[] Pieces { get; }

    public int[] TokenTypeIds { get; }

    public int[] AttentionMask { get; }

    public (int Start, int End)[] Offsets { get; }

    /// <summary>1 for added special tokens ([CLS], [SEP]) and padding, 0 otherwise.</summary>
    public int[] SpecialTokensMask { get; }

    public int Length => Ids.Length;
}
