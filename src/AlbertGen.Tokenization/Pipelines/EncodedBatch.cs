using AlbertGen.Model;

namespace AlbertGen.Tokenization.Pipelines;

/// <summary>Turns padded encodings (one per sequence, equal lengths) into the engine's <see cref="AlbertBatch"/>.</summary>
public static class EncodedBatch
{
    public static AlbertBatch From(IReadOnlyList<AlbertEncoding> encodings, int numChoices = 0)
    {
        if (encodings.Count == 0) throw new ArgumentException("no encodings", nameof(encodings));
        int seq = encodings[0].Length;
        if (encodings.Any(e => e.Length != seq))
            throw new ArgumentException("encodings must be padded to one length");
        var ids = new int[encodings.Count * seq];
        var mask = new int[ids.Length];
        var types = new int[ids.Length];
        for (int i = 0; i < encodings.Count; i++)
        {
            encodings[i].Ids.CopyTo(ids, i * seq);
            encodings[i].AttentionMask.CopyTo(mask, i * seq);
            encodings[i].TokenTypeIds.CopyTo(types, i * seq);
        }
        return new AlbertBatch(encodings.Count, seq, ids, mask, types, numChoices);
    }
}
