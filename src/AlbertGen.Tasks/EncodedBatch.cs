using AlbertGen.Model;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks;

/// <summary>Turns encodings (one per sequence) into the engine's <see cref="AlbertBatch"/>, padded on the right to the longest.</summary>
public static class EncodedBatch
{
    /// <summary>
    /// The batch padded to its longest encoding (pad id <paramref name="padId"/>, mask 0, type 0); labels are left to the
    /// caller. Encodings the tokenizer already padded to one length are copied as they are.
    /// </summary>
    public static AlbertBatch From(IReadOnlyList<AlbertEncoding> encodings, int padId = 0, int numChoices = 0)
    {
        if (encodings.Count == 0) throw new ArgumentException("no encodings", nameof(encodings));
        int seq = encodings.Max(e => e.Length);
        var ids = new int[encodings.Count * seq];
        var mask = new int[ids.Length];
        var types = new int[ids.Length];
        if (padId != 0) Array.Fill(ids, padId);
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
