using AlbertGen.Model;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks;

/// <summary>One multiple-choice question to encode: the context (or prompt), an optional question, the choices.</summary>
public readonly record struct ChoiceQuestion(string Context, string? Question, IReadOnlyList<string> Choices);

/// <summary>
/// Turns encodings (one per sequence) into the engine's inputs: an <see cref="AlbertBatch"/> padded on the right to the
/// longest, or an <see cref="AlbertPackedBatch"/> of the real tokens only (padding-free forwards, D33).
/// </summary>
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

    /// <summary>
    /// The encodings' real tokens packed one after another (no padding): each encoding's attended tokens, which for the
    /// unpadded encodings the pipelines make (<see cref="PaddingStrategy.DoNotPad"/>) are all of them; an encoding the
    /// tokenizer padded contributes the tokens before its padding. A mask with a hole (0 then 1) or no attended token is an
    /// <see cref="AlbertInputException"/> naming the encoding.
    /// </summary>
    public static AlbertPackedBatch Packed(IReadOnlyList<AlbertEncoding> encodings, int numChoices = 0)
    {
        if (encodings.Count == 0) throw new ArgumentException("no encodings", nameof(encodings));
        var starts = new int[encodings.Count + 1];
        for (int i = 0; i < encodings.Count; i++)
            starts[i + 1] = checked(starts[i] + RealLength(encodings[i], i));
        var ids = new int[starts[^1]];
        var types = new int[ids.Length];
        for (int i = 0; i < encodings.Count; i++)
        {
            int n = starts[i + 1] - starts[i];
            encodings[i].Ids.AsSpan(0, n).CopyTo(ids.AsSpan(starts[i]));
            encodings[i].TokenTypeIds.AsSpan(0, n).CopyTo(types.AsSpan(starts[i]));
        }
        return new AlbertPackedBatch(ids, starts, types, numChoices);
    }

    /// <summary>Tokens before the encoding's right padding.</summary>
    static int RealLength(AlbertEncoding encoding, int index)
    {
        var mask = encoding.AttentionMask;
        int n = 0;
        while (n < mask.Length && mask[n] != 0) n++;
        for (int p = n + 1; p < mask.Length; p++)
        {
            if (mask[p] != 0)
                throw new AlbertInputException($"encoding {index} is not right-padded (attention_mask 0 at position {n}, then 1 at position {p}): it has no padding-free form");
        }
        return n > 0 ? n : throw new AlbertInputException($"encoding {index} has no attended token (empty, or all padding)");
    }

    /// <summary>
    /// Multiple-choice rows as HF's run_swag encodes them: for each question, each choice is the pair (context,
    /// question + " " + choice), or (context, choice) without a question, truncated longest-first to
    /// <paramref name="maxLength"/>; B questions give B × num_choices rows, choice-major within a question.
    /// </summary>
    public static AlbertBatch Choices(AlbertTokenizer tokenizer, IReadOnlyList<ChoiceQuestion> questions, int maxLength)
    {
        if (questions.Count == 0) throw new ArgumentException("no questions", nameof(questions));
        int choices = questions[0].Choices.Count;
        if (questions.Any(q => q.Choices.Count != choices))
            throw new AlbertInputException($"all questions of a batch need the same number of choices ({choices})");
        if (choices == 0) throw new AlbertInputException("a question needs at least one choice");
        var first = questions.SelectMany(q => q.Choices.Select(_ => q.Context)).ToList();
        var second = questions.SelectMany(q => q.Choices.Select(c => (string?)(q.Question is null ? c : q.Question + " " + c))).ToList();
        return From(tokenizer.EncodeBatch(first, second, maxLength: maxLength), tokenizer.PadTokenId, choices);
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
