using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// <c>AlbertForQuestionAnswering</c> with HF run_qa's features: [CLS] question [SEP] context [SEP], only the context
/// truncated, a long context cut into windows that overlap by <paramref name="docStride"/> tokens; the start/end token
/// positions of the (first) answer come from the character offsets, and an answer outside the window, or an
/// unanswerable question, points at [CLS] (0). Evaluation takes, for each question, the best span over its windows
/// (start ≤ end, inside the context, at most <paramref name="maxAnswerLength"/> tokens, scored by start + end logit; the
/// search within a window is <see cref="TaskMath.BestSpan"/>), and for SQuAD 2.0 answers "" when the [CLS] score
/// (smallest over the windows) beats it; SQuAD exact match and F1.
/// </summary>
public sealed class QuestionAnsweringTask(AlbertTokenizer tokenizer, int maxSeqLength, int docStride, bool version2, int maxAnswerLength = 30)
    : IFineTuningTask<SquadExample>
{
    /// <summary>One window of one question: the encoding, where its context tokens are, and the training targets.</summary>
    public sealed record Feature(int Example, AlbertEncoding Encoding, int ContextFirst, int ContextLast, int StartPosition, int EndPosition);

    public AlbertHead Head => AlbertHead.QuestionAnswering;
    public bool Version2 { get; } = version2;

    /// <summary>qa_outputs has num_labels = 2 outputs (start, end), whatever labels the pretrained config had.</summary>
    public AlbertConfig ModelConfig(AlbertConfig pretrained) =>
        HeadSelection.TaskConfig(pretrained, Head, pretrained.NumLabels == 2 ? null : ["LABEL_0", "LABEL_1"]);

    public ITrainingFeatures Prepare(IReadOnlyList<SquadExample> examples) => new TrainingFeatures<Feature>(Features(examples), Collate);

    public List<Feature> Features(IReadOnlyList<SquadExample> examples)
    {
        var features = new List<Feature>();
        for (int i = 0; i < examples.Count; i++) features.AddRange(Features(examples[i], i));
        return features;
    }

    public List<Feature> Features(SquadExample example, int index)
    {
        var question = tokenizer.TokenizeToSpans(example.Question.TrimStart()); // run_qa strips the question's left whitespace
        var context = tokenizer.TokenizeToSpans(example.Context);
        int room = maxSeqLength - question.Count - 3;
        if (room < 1)
            throw new AlbertInputException($"question '{example.Id}' has {question.Count} tokens, which leaves no room for the context in {maxSeqLength}");
        if (context.Count > room && docStride >= room)
            throw new ArgumentException($"doc stride {docStride} must be smaller than the room left for the context ({room} tokens of {maxSeqLength} with question '{example.Id}'); lower the doc stride or raise the max sequence length");
        var features = new List<Feature>();
        for (int from = 0; ; from += room - docStride)
        {
            int to = Math.Min(from + room, context.Count);
            features.Add(Window(example, index, question, context, from, to));
            if (to >= context.Count) break;
        }
        return features;
    }

    Feature Window(SquadExample example, int index, IReadOnlyList<TokenSpan> question, IReadOnlyList<TokenSpan> context, int from, int to)
    {
        int n = question.Count + (to - from) + 3;
        var ids = new int[n];
        var pieces = new string[n];
        var types = new int[n];
        var mask = new int[n];
        var offsets = new (int Start, int End)[n];
        var special = new int[n];
        Array.Fill(mask, 1);
        int k = 0;
        void Special(string token, int type) { ids[k] = tokenizer.TokenToId(token); pieces[k] = token; types[k] = type; special[k] = 1; k++; }
        void Token(TokenSpan t, int type) { ids[k] = t.Id; pieces[k] = t.Piece; types[k] = type; offsets[k] = (t.Start, t.End); k++; }
        Special(tokenizer.ClsToken, 0);
        foreach (var t in question) Token(t, 0);
        Special(tokenizer.SepToken, 0);
        int first = k;
        for (int i = from; i < to; i++) Token(context[i], 1);
        int last = k - 1;
        Special(tokenizer.SepToken, 1);
        var enc = new AlbertEncoding(ids, pieces, types, mask, offsets, special);

        int start = 0, end = 0;
        if (!example.IsImpossible && example.Answers.Count > 0 && last >= first)
        {
            var answer = example.Answers[0];
            int startChar = answer.Start, endChar = answer.Start + answer.Text.Length;
            if (offsets[first].Start <= startChar && offsets[last].End >= endChar)
            {
                int s = first;
                while (s <= last && offsets[s].Start <= startChar) s++;
                int e = last;
                while (e >= first && offsets[e].End >= endChar) e--;
                start = s - 1;
                end = e + 1;
            }
        }
        return new Feature(index, enc, first, last, start, end);
    }

    AlbertBatch Collate(IReadOnlyList<Feature> chunk)
    {
        var b = EncodedBatch.From(chunk.Select(f => f.Encoding).ToList(), tokenizer.PadTokenId);
        return new AlbertBatch(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds)
        {
            StartPositions = chunk.Select(f => f.StartPosition).ToArray(),
            EndPositions = chunk.Select(f => f.EndPosition).ToArray(),
        };
    }

    /// <summary>The predicted answer text of each question ("" for no answer).</summary>
    public List<string> Predict(IAlbertBackend backend, IReadOnlyList<SquadExample> examples, int batchSize)
    {
        var features = Features(examples);
        var best = new (double Score, string Text)?[examples.Count];
        var nullScore = new double[examples.Count];
        Array.Fill(nullScore, double.PositiveInfinity);
        for (int b = 0; b < features.Count; b += batchSize)
        {
            var chunk = features.Skip(b).Take(batchSize).ToList();
            var batch = EncodedBatch.From(chunk.Select(f => f.Encoding).ToList(), tokenizer.PadTokenId);
            var output = backend.Forward(batch);
            int seq = batch.SequenceLength;
            for (int i = 0; i < chunk.Count; i++)
            {
                var f = chunk[i];
                var startLogits = output.StartLogits!.Data.AsSpan(i * seq, seq);
                var endLogits = output.EndLogits!.Data.AsSpan(i * seq, seq);
                nullScore[f.Example] = Math.Min(nullScore[f.Example], startLogits[0] + endLogits[0]);
                if (f.ContextLast < f.ContextFirst) continue;
                var allowed = new bool[seq];
                for (int p = f.ContextFirst; p <= f.ContextLast; p++) allowed[p] = true;
                var span = TaskMath.BestSpan(startLogits, endLogits, allowed, maxAnswerLength);
                double score = startLogits[span.Start] + endLogits[span.End];
                if (best[f.Example] is null || score > best[f.Example]!.Value.Score)
                {
                    var context = examples[f.Example].Context;
                    best[f.Example] = (score, context[f.Encoding.Offsets[span.Start].Start..f.Encoding.Offsets[span.End].End]);
                }
            }
        }
        return Enumerable.Range(0, examples.Count)
            .Select(i => best[i] is not { } a || (Version2 && nullScore[i] > a.Score) ? "" : a.Text)
            .ToList();
    }

    public EvalResult Evaluate(IAlbertBackend backend, IReadOnlyList<SquadExample> examples, int batchSize)
    {
        var predictions = Predict(backend, examples, batchSize);
        var (em, f1) = SquadMetrics.Score(predictions, examples.Select(e => (IReadOnlyList<string>)e.Answers.Select(a => a.Text).ToList()).ToList());
        return new EvalResult(examples.Count, [new("exact_match", em), new("f1", f1)]);
    }
}
