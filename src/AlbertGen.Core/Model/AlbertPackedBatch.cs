using AlbertGen.Config;

namespace AlbertGen.Model;

/// <summary>
/// Sequences of different lengths packed without padding, for padding-free forwards (docs/decisions.md D33): the ids
/// of every sequence one after another, and where each one starts (<see cref="SequenceStarts"/>: Sequences + 1
/// offsets, the first 0, the last the token count, like flash-attention's <c>cu_seqlens</c>). Every token is a real
/// token, as HF's <c>attention_mask</c> = 1; positions restart at 0 in every sequence.
/// <para>
/// A packed forward (<see cref="IAlbertBackend.ForwardPacked"/>) returns per-token outputs (<c>last_hidden_state</c>,
/// prediction and token logits, start/end logits) packed the same way, <c>[tokens, …]</c>, and per-sequence outputs
/// (<c>pooler_output</c>, sequence logits) one row per sequence. A packed batch carries no labels: losses are the
/// padded <see cref="AlbertBatch"/>'s.
/// </para>
/// </summary>
public sealed class AlbertPackedBatch
{
    /// <param name="inputIds">the tokens of all sequences, one after another.</param>
    /// <param name="sequenceStarts">Sequences + 1 offsets into <paramref name="inputIds"/>: 0, then each sequence's end.</param>
    /// <param name="tokenTypeIds">per token, as <paramref name="inputIds"/>; null means all zeros.</param>
    /// <param name="numChoices">for multiple choice: sequences are batch × num_choices, choice-major within a question.</param>
    public AlbertPackedBatch(int[] inputIds, int[] sequenceStarts, int[]? tokenTypeIds = null, int numChoices = 0)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(sequenceStarts);
        if (sequenceStarts.Length < 2)
            throw new AlbertInputException($"a packed batch needs at least one sequence: sequence starts must hold Sequences + 1 offsets, found {sequenceStarts.Length}");
        if (sequenceStarts[0] != 0)
            throw new AlbertInputException($"the first sequence start must be 0, found {sequenceStarts[0]}");
        int longest = 0;
        for (int s = 0; s + 1 < sequenceStarts.Length; s++)
        {
            long length = (long)sequenceStarts[s + 1] - sequenceStarts[s];
            if (length <= 0)
                throw new AlbertInputException($"packed sequence {s} is empty (starts {sequenceStarts[s]}, next {sequenceStarts[s + 1]}): every sequence needs at least one token");
            longest = (int)Math.Max(longest, length);
        }
        if (sequenceStarts[^1] != inputIds.Length)
            throw new AlbertInputException($"the sequences end at {sequenceStarts[^1]}, but input_ids has {inputIds.Length} ids");
        if (tokenTypeIds is not null && tokenTypeIds.Length != inputIds.Length)
            throw new AlbertInputException($"token_type_ids has {tokenTypeIds.Length} entries, input_ids has {inputIds.Length}");
        int sequences = sequenceStarts.Length - 1;
        if (numChoices < 0 || (numChoices > 0 && sequences % numChoices != 0))
            throw new AlbertInputException($"{sequences} sequences cannot be split into choices of {numChoices}");
        InputIds = inputIds;
        SequenceStarts = sequenceStarts;
        TokenTypeIds = tokenTypeIds;
        NumChoices = numChoices;
        MaxLength = longest;
    }

    /// <summary>The tokens of all sequences, one after another.</summary>
    public int[] InputIds { get; }
    /// <summary>Sequences + 1 offsets: sequence s is tokens [SequenceStarts[s], SequenceStarts[s + 1]).</summary>
    public int[] SequenceStarts { get; }
    /// <summary>Per token; null means all zeros.</summary>
    public int[]? TokenTypeIds { get; }
    /// <summary>0 unless the sequences are batch × num_choices.</summary>
    public int NumChoices { get; }

    /// <summary>Number of sequences the encoder runs (batch, or batch × num_choices).</summary>
    public int Sequences => SequenceStarts.Length - 1;
    /// <summary>The batch size as HF reports it (sequences / num_choices for multiple choice).</summary>
    public int BatchSize => NumChoices > 0 ? Sequences / NumChoices : Sequences;
    /// <summary>All tokens of all sequences: the rows of per-token outputs.</summary>
    public int Tokens => InputIds.Length;
    /// <summary>The longest sequence.</summary>
    public int MaxLength { get; }

    /// <summary>First token (row of per-token outputs) of sequence <paramref name="sequence"/>.</summary>
    public int Start(int sequence) => SequenceStarts[sequence];
    /// <summary>Tokens of sequence <paramref name="sequence"/>.</summary>
    public int Length(int sequence) => SequenceStarts[sequence + 1] - SequenceStarts[sequence];

    /// <summary>Checks ids against the config and the head: ids &lt; vocab_size, token types &lt; type_vocab_size, every sequence within max_position_embeddings, choices for multiple choice only.</summary>
    public void Validate(AlbertConfig config, AlbertHead head)
    {
        ArgumentNullException.ThrowIfNull(config);
        for (int s = 0; s < Sequences; s++)
        {
            if (Length(s) > config.MaxPositionEmbeddings)
                throw new AlbertInputException($"packed sequence {s} has {Length(s)} tokens, more than max_position_embeddings ({config.MaxPositionEmbeddings})");
        }
        for (int s = 0; s < Sequences; s++)
        {
            for (int t = Start(s); t < SequenceStarts[s + 1]; t++)
            {
                if ((uint)InputIds[t] >= (uint)config.VocabSize)
                    throw new AlbertInputException($"input_ids of packed sequence {s}, position {t - Start(s)} = {InputIds[t]} is outside the vocabulary (vocab_size {config.VocabSize})");
                if (TokenTypeIds is not null && (uint)TokenTypeIds[t] >= (uint)config.TypeVocabSize)
                    throw new AlbertInputException($"token_type_ids of packed sequence {s}, position {t - Start(s)} = {TokenTypeIds[t]} is outside type_vocab_size ({config.TypeVocabSize})");
            }
        }
        if (head == AlbertHead.MultipleChoice && NumChoices == 0)
            throw new AlbertInputException("multiple choice needs the packed sequences grouped as batch × num_choices (numChoices > 0)");
        if (head != AlbertHead.MultipleChoice && NumChoices > 0)
            throw new AlbertInputException($"the packed batch is batch × num_choices, which only the multiple-choice head takes (this model is {head.CliName()})");
    }

    /// <summary>
    /// The real tokens of a right-padded batch (HF's padding side: each row's attention_mask is 1…1 then 0…0), packed.
    /// Labels are not carried over. A mask with a hole (a 0 before a 1) or a row with no attended token has no packed
    /// form: an <see cref="AlbertInputException"/> naming the row; run such a batch through the padded forward.
    /// </summary>
    public static AlbertPackedBatch FromPadded(AlbertBatch batch) =>
        TryFromPadded(batch, out var packed, out string? reason) ? packed! : throw new AlbertInputException(reason!);

    /// <summary>As <see cref="FromPadded"/>; false, with the reason, when the mask is not right padding.</summary>
    public static bool TryFromPadded(AlbertBatch batch, out AlbertPackedBatch? packed, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.Rows, seq = batch.SequenceLength;
        var starts = new int[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            int length = 0;
            while (length < seq && batch.AttentionMaskAt(r, length) != 0) length++;
            for (int p = length + 1; p < seq; p++)
            {
                if (batch.AttentionMaskAt(r, p) != 0)
                {
                    packed = null;
                    reason = $"attention_mask row {r} is not right padding (0 at position {length}, then 1 at position {p}): it has no padding-free form; use the padded forward";
                    return false;
                }
            }
            if (length == 0)
            {
                packed = null;
                reason = $"attention_mask row {r} attends to no token: it has no padding-free form; use the padded forward";
                return false;
            }
            starts[r + 1] = starts[r] + length;
        }
        var ids = new int[starts[rows]];
        int[]? types = batch.TokenTypeIds is null ? null : new int[ids.Length];
        for (int r = 0; r < rows; r++)
        {
            int length = starts[r + 1] - starts[r];
            Array.Copy(batch.InputIds, r * seq, ids, starts[r], length);
            if (types is not null) Array.Copy(batch.TokenTypeIds!, r * seq, types, starts[r], length);
        }
        packed = new AlbertPackedBatch(ids, starts, types, batch.NumChoices);
        reason = null;
        return true;
    }

    /// <summary>The same sequences right-padded to the longest (pad id <paramref name="padId"/>, mask 0, type 0).</summary>
    public AlbertBatch ToPadded(int padId = 0)
    {
        int rows = Sequences, seq = MaxLength;
        var ids = new int[(long)rows * seq <= Array.MaxLength ? rows * seq
            : throw new AlbertInputException($"{rows} sequences padded to {seq} tokens are too many for one padded batch; split it")];
        var mask = new int[ids.Length];
        var types = new int[ids.Length];
        if (padId != 0) Array.Fill(ids, padId);
        for (int s = 0; s < rows; s++)
        {
            int start = Start(s), length = Length(s);
            Array.Copy(InputIds, start, ids, s * seq, length);
            Array.Fill(mask, 1, s * seq, length);
            if (TokenTypeIds is not null) Array.Copy(TokenTypeIds, start, types, s * seq, length);
        }
        return new AlbertBatch(rows, seq, ids, mask, types, NumChoices);
    }

    /// <summary>
    /// A padded forward's outputs for these sequences (from <see cref="ToPadded"/>) in packed form: the real positions
    /// of <c>last_hidden_state</c>, <c>prediction_logits</c>, token-level <c>logits</c> (masked-LM, token
    /// classification) and <c>start_logits</c>/<c>end_logits</c>; per-sequence outputs as they are; losses dropped.
    /// </summary>
    public AlbertOutput Pack(AlbertOutput padded, AlbertHead head)
    {
        ArgumentNullException.ThrowIfNull(padded);
        bool tokenLogits = head is AlbertHead.MaskedLM or AlbertHead.TokenClassification;
        return new AlbertOutput
        {
            LastHiddenState = PackTokens(padded.LastHiddenState, "last_hidden_state"),
            PoolerOutput = padded.PoolerOutput,
            PredictionLogits = PackTokens(padded.PredictionLogits, "prediction_logits"),
            SopLogits = padded.SopLogits,
            Logits = tokenLogits ? PackTokens(padded.Logits, "logits") : padded.Logits,
            StartLogits = PackTokens(padded.StartLogits, "start_logits"),
            EndLogits = PackTokens(padded.EndLogits, "end_logits"),
        };
    }

    FloatTensor? PackTokens(FloatTensor? padded, string name)
    {
        if (padded is null) return null;
        if (padded.Rank < 2 || padded.Shape[0] != Sequences || padded.Shape[1] < MaxLength)
            throw new ArgumentException($"{name} has shape [{string.Join(", ", padded.Shape)}], not [{Sequences}, ≥ {MaxLength}, …] per token", nameof(padded));
        int seq = padded.Shape[1];
        int width = 1;
        for (int d = 2; d < padded.Rank; d++) width *= padded.Shape[d];
        var data = new float[(long)Tokens * width];
        for (int s = 0; s < Sequences; s++)
            Array.Copy(padded.Data, (long)s * seq * width, data, (long)Start(s) * width, (long)Length(s) * width);
        return new FloatTensor([Tokens, .. padded.Shape.AsSpan(2)], data);
    }
}
