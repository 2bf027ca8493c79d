using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pipelines;

/// <summary>One fill-mask candidate (HF fill-mask pipeline fields).</summary>
public sealed record FillMaskCandidate(string Token, int TokenId, float Score, string Sequence);

/// <summary>An extractive answer: the text span of the context, its character offsets and p(start)·p(end).</summary>
public sealed record Answer(string Text, int Start, int End, float Score);

/// <summary>Multiple-choice scores: the softmax over the choices' logits, in choice order, and the index of the best choice.</summary>
public sealed record ChoiceScores(float[] Scores, int Best);

/// <summary>
/// The user-facing tasks over any backend (CPU engine, TorchSharp, a source-generated model) and a tokenizer, with
/// HF pipeline semantics: fill-mask, text classification, sentence embeddings, extractive question answering, token
/// classification; and multiple choice (no HF pipeline: AlbertForMultipleChoice's logits, softmax over the choices).
/// Inputs longer than the model's <c>max_position_embeddings</c> are truncated (HF's <c>truncation=True</c>). Every
/// forward is padding-free (<see cref="IAlbertBackend.ForwardPacked"/>, D33).
/// </summary>
public sealed partial class TextPipelines(IAlbertBackend backend, AlbertTokenizer tokenizer)
{
    public IAlbertBackend Backend { get; } = backend;
    public AlbertTokenizer Tokenizer { get; } = tokenizer;
    int MaxLength => Backend.Config.MaxPositionEmbeddings;

    /// <summary>Top-k candidates for every [MASK] of every text: result[text][mask] = candidates, best first.</summary>
    public IReadOnlyList<IReadOnlyList<FillMaskCandidate>>[] FillMask(IReadOnlyList<string> texts, int topK = 5)
    {
        if (Backend.Head is not (AlbertHead.MaskedLM or AlbertHead.PreTraining))
            throw new InvalidOperationException($"fill-mask needs a masked-lm or pretraining model, this one is {Backend.Head.CliName()}");
        int vocab = Backend.Config.VocabSize, maskId = Tokenizer.MaskTokenId;
        var encodings = Tokenizer.EncodeBatch(texts, maxLength: MaxLength, padding: PaddingStrategy.DoNotPad);
        return Batched(encodings, outputsPerToken: vocab, (i, enc, output, row, first) =>
        {
            var logits = (output.PredictionLogits ?? output.Logits)!;
            var positions = Enumerable.Range(0, enc.Length).Where(p => enc.Ids[p] == maskId).ToArray();
            if (positions.Length == 0)
                throw new AlbertInputException($"input {i + 1} has no {Tokenizer.MaskToken} token: \"{Truncate(texts[i])}\"");
            return positions.Select(p =>
            {
                var scores = logits.Data.AsSpan((first + p) * vocab, vocab);
                return (IReadOnlyList<FillMaskCandidate>)TaskMath.TopK(scores, topK).Select(c =>
                {
                    var ids = enc.Ids.ToArray();
                    ids[p] = c.TokenId;
                    return new FillMaskCandidate(Tokenizer.IdToToken(c.TokenId), c.TokenId, c.Score, Tokenizer.Decode(ids, skipSpecialTokens: true));
                }).ToArray();
            }).ToArray();
        });
    }

    /// <summary>Label scores per text (softmax, or sigmoid for multi-label / single-output models), best first.</summary>
    public LabelScore[][] Classify(IReadOnlyList<string> texts, IReadOnlyList<string?>? pairs = null, CancellationToken cancellationToken = default)
    {
        if (Backend.Head != AlbertHead.SequenceClassification)
            throw new InvalidOperationException($"classify needs a sequence-classification model, this one is {Backend.Head.CliName()}");
        int labels = Backend.Config.NumLabels;
        var encodings = Tokenizer.EncodeBatch(texts, pairs, maxLength: MaxLength, padding: PaddingStrategy.DoNotPad);
        return Batched(encodings, outputsPerToken: 0, (i, enc, output, row, first) =>
            TaskMath.ClassScores(output.Logits!.Data.AsSpan(row * labels, labels), Backend.Config.Id2Label, Backend.Config.ProblemType), cancellationToken);
    }

    /// <summary>Sentence vectors: mean of the attended tokens' last hidden states, or the [CLS] token's.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, bool meanPooling = true, CancellationToken cancellationToken = default)
    {
        int h = Backend.Config.HiddenSize;
        var encodings = Tokenizer.EncodeBatch(texts, maxLength: MaxLength, padding: PaddingStrategy.DoNotPad);
        return Batched(encodings, outputsPerToken: h, (i, enc, output, row, first) =>
        {
            var rows = output.LastHiddenState!.Data.AsSpan(first * h, enc.Length * h);
            return meanPooling ? TaskMath.MeanPool(rows, enc.Length, h, enc.AttentionMask) : rows[..h].ToArray();
        }, cancellationToken);
    }

    /// <summary>
    /// Extractive QA (HF question-answering pipeline): [CLS] question [SEP] context [SEP], the context truncated to fit
    /// (only_second), best span inside the context of at most <paramref name="maxAnswerTokens"/> tokens.
    /// </summary>
    public Answer Answer(string question, string context, int maxAnswerTokens = 15)
    {
        if (Backend.Head != AlbertHead.QuestionAnswering)
            throw new InvalidOperationException($"answer needs a question-answering model, this one is {Backend.Head.CliName()}");
        var enc = Tokenizer.Encode(question, context, maxLength: MaxLength, truncation: TruncationStrategy.OnlySecond);
        var output = Backend.ForwardPacked(EncodedBatch.Packed([enc]));
        var allowed = new bool[enc.Length];
        for (int p = 0; p < enc.Length; p++)
            allowed[p] = enc.TokenTypeIds[p] == 1 && enc.SpecialTokensMask[p] == 0;
        if (!allowed.Any(a => a))
            throw new AlbertInputException("the context is empty (or the question leaves no room for it)");
        var span = TaskMath.BestSpan(output.StartLogits!.Data, output.EndLogits!.Data, allowed, maxAnswerTokens);
        int start = enc.Offsets[span.Start].Start, end = enc.Offsets[span.End].End;
        return new Answer(context[start..end], start, end, span.Score);
    }

    /// <summary>The labels the token-classification pipeline leaves out by default (HF's <c>ignore_labels=["O"]</c>).</summary>
    public static readonly IReadOnlyList<string> DefaultIgnoreLabels = ["O"];

    /// <summary>
    /// HF token-classification pipeline with aggregation "none": per token (special tokens excluded) the label of highest
    /// softmax probability, the token piece, its position and character offsets; tokens whose label is in
    /// <paramref name="ignoreLabels"/> (default ["O"]) are left out.
    /// </summary>
    public TokenEntity[][] ClassifyTokens(IReadOnlyList<string> texts, IReadOnlyList<string>? ignoreLabels = null)
    {
        var ignore = ignoreLabels ?? DefaultIgnoreLabels;
        return TokenPredictions(texts).Select(t => t.Where(e => !ignore.Contains(e.Entity)).ToArray()).ToArray();
    }

    /// <summary>
    /// HF token-classification pipeline with aggregation "simple": adjacent tokens of one entity type grouped
    /// (<see cref="EntityGrouping"/>), then groups whose type is in <paramref name="ignoreLabels"/> (default ["O"]) left out.
    /// </summary>
    public GroupedEntity[][] ClassifyTokensGrouped(IReadOnlyList<string> texts, IReadOnlyList<string>? ignoreLabels = null)
    {
        var ignore = ignoreLabels ?? DefaultIgnoreLabels;
        return TokenPredictions(texts)
            .Select(t => EntityGrouping.Group(t, Tokenizer.ConvertTokensToString).Where(g => !ignore.Contains(g.EntityGroup)).ToArray())
            .ToArray();
    }

    // HF gather_pre_entities + aggregate for "none"/"simple": every non-special token with its best label
    TokenEntity[][] TokenPredictions(IReadOnlyList<string> texts)
    {
        if (Backend.Head != AlbertHead.TokenClassification)
            throw new InvalidOperationException($"token classification needs a token-classification model, this one is {Backend.Head.CliName()}");
        int labels = Backend.Config.NumLabels, unk = Tokenizer.UnkTokenId;
        var encodings = Tokenizer.EncodeBatch(texts, maxLength: MaxLength, padding: PaddingStrategy.DoNotPad);
        return Batched(encodings, outputsPerToken: labels, (i, enc, output, row, first) =>
        {
            var logits = output.Logits!.Data;
            var entities = new List<TokenEntity>();
            for (int p = 0; p < enc.Length; p++)
            {
                if (enc.SpecialTokensMask[p] == 1) continue;
                var probs = TaskMath.Softmax(logits.AsSpan((first + p) * labels, labels));
                int best = 0;
                for (int k = 1; k < probs.Length; k++) if (probs[k] > probs[best]) best = k;
                var (start, end) = enc.Offsets[p];
                // HF: an unknown token's word is the text it stands for
                string word = enc.Ids[p] == unk ? texts[i][start..end] : Tokenizer.IdToToken(enc.Ids[p]);
                entities.Add(new TokenEntity(Backend.Config.Id2Label[best], (float)probs[best], p, word, start, end));
            }
            return entities.ToArray();
        });
    }

    /// <summary>Scores of each choice completing <paramref name="prompt"/> (pairs (prompt, choice), as HF's multiple-choice examples).</summary>
    public ChoiceScores MultipleChoice(string prompt, IReadOnlyList<string> choices) => MultipleChoice([(prompt, choices)])[0];

    /// <summary>
    /// Multiple choice over a batch of questions with the same number of choices: each choice encoded as the pair
    /// (prompt, choice), truncated longest-first, one forward of B × num_choices rows; softmax over each question's logits.
    /// </summary>
    public ChoiceScores[] MultipleChoice(IReadOnlyList<(string Prompt, IReadOnlyList<string> Choices)> questions)
    {
        if (Backend.Head != AlbertHead.MultipleChoice)
            throw new InvalidOperationException($"multiple choice needs a multiple-choice model, this one is {Backend.Head.CliName()}");
        var batch = EncodedBatch.Choices(Tokenizer, questions.Select(q => new ChoiceQuestion(q.Prompt, null, q.Choices)).ToList(), MaxLength);
        var logits = Backend.ForwardPacked(AlbertPackedBatch.FromPadded(batch)).Logits!.Data;
        int k = batch.NumChoices;
        var results = new ChoiceScores[questions.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var row = logits.AsSpan(i * k, k);
            results[i] = new ChoiceScores(TaskMath.Softmax(row).Select(x => (float)x).ToArray(), TaskMath.ArgMax(row));
        }
        return results;
    }

    static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
