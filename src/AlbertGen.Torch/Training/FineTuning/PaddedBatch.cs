using AlbertGen.Model;
using AlbertGen.Tokenization;

namespace AlbertGen.Torch.Training.FineTuning;

/// <summary>Encodings of different lengths padded on the right (pad id, mask 0, type 0) into one <see cref="AlbertBatch"/>.</summary>
public static class PaddedBatch
{
    /// <summary>The batch padded to its longest encoding; labels are left to the caller.</summary>
    public static AlbertBatch From(IReadOnlyList<AlbertEncoding> encodings, int padId, int numChoices = 0)
    {
        if (encodings.Count == 0) throw new ArgumentException("no encodings", nameof(encodings));
        int seq = encodings.Max(e => e.Length);
        var ids = new int[encodings.Count * seq];
        var mask = new int[ids.Length];
        var types = new int[ids.Length];
        Array.Fill(ids, padId);
        for (int i = 0; i < encodings.Count; i++)
        {
            encodings[i].Ids.CopyTo(ids, i * seq);
            encodings[i].AttentionMask.CopyTo(mask, i * seq);
            encodings[i].TokenTypeIds.CopyTo(types, i * seq);
        }
        return new AlbertBatch(encodings.Count, seq, ids, mask, types, numChoices);
    }

    /// <summary>Per-position values of each row laid out row-major over <paramref name="sequenceLength"/>, the rest <paramref name="padValue"/>.</summary>
    public static int[] PerPosition(IReadOnlyList<int[]> rows, int sequenceLength, int padValue)
    {
        var flat = new int[rows.Count * sequenceLength];
        Array.Fill(flat, padValue);
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(flat, i * sequenceLength);
        return flat;
    }
}
