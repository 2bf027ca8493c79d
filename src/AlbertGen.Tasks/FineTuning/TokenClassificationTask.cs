using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// <c>AlbertForTokenClassification</c> with HF run_ner's alignment: the words joined by spaces are tokenized with offsets,
/// the first piece of each word carries the word's label, its other pieces and the special tokens -100 (ignored by the
/// loss); words past <paramref name="maxSeqLength"/> are dropped. Metrics over the first pieces: token accuracy and
/// seqeval's entity-level precision, recall and F1.
/// </summary>
public sealed class TokenClassificationTask(AlbertTokenizer tokenizer, IReadOnlyList<string> labels, int maxSeqLength)
    : IFineTuningTask<TaggedSentence>
{
    /// <summary>One encoded sentence: the encoding, per-position labels (-100 outside first pieces) and the word of each first piece.</summary>
    public sealed record Feature(AlbertEncoding Encoding, int[] Labels, int[] FirstPieceWords);

    public AlbertHead Head => AlbertHead.TokenClassification;
    public IReadOnlyList<string> Labels { get; } = labels;

    public AlbertConfig ModelConfig(AlbertConfig pretrained) => HeadSelection.TaskConfig(pretrained, Head, Labels);

    public ITrainingFeatures Prepare(IReadOnlyList<TaggedSentence> examples) =>
        new TrainingFeatures<Feature>(examples.Select(Encode).ToList(), Collate);

    public Feature Encode(TaggedSentence sentence)
    {
        var ids = new int[sentence.Words.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = IndexOf(sentence.Tags[i]);
            if (ids[i] < 0)
                throw new AlbertInputException($"{sentence.Source}:{sentence.FirstLine + i}: tag '{sentence.Tags[i]}' is not in the label list ({string.Join(", ", Labels)})");
        }
        var wordEnds = new int[sentence.Words.Length];
        int at = 0;
        for (int i = 0; i < wordEnds.Length; i++)
        {
            at += sentence.Words[i].Length;
            wordEnds[i] = at;
            at++; // the joining space
        }
        var enc = tokenizer.Encode(string.Join(' ', sentence.Words), maxLength: maxSeqLength);
        var positionLabels = new int[enc.Length];
        Array.Fill(positionLabels, AlbertLosses.IgnoreIndex);
        var firstPieces = new List<int>();
        int word = 0, previous = -1;
        for (int p = 0; p < enc.Length; p++)
        {
            if (enc.SpecialTokensMask[p] == 1) continue;
            // the word this piece belongs to: the first word ending after the piece starts (a lone "▁" goes with the next word)
            while (word < wordEnds.Length - 1 && wordEnds[word] <= enc.Offsets[p].Start) word++;
            if (word == previous) continue;
            positionLabels[p] = ids[word];
            firstPieces.Add(word);
            previous = word;
        }
        return new Feature(enc, positionLabels, [.. firstPieces]);
    }

    int IndexOf(string tag)
    {
        for (int k = 0; k < Labels.Count; k++) if (Labels[k] == tag) return k;
        return -1;
    }

    AlbertBatch Collate(IReadOnlyList<Feature> chunk)
    {
        var b = EncodedBatch.From(chunk.Select(f => f.Encoding).ToList(), tokenizer.PadTokenId);
        var labels = EncodedBatch.PerPosition(chunk.Select(f => f.Labels).ToList(), b.SequenceLength, AlbertLosses.IgnoreIndex);
        return new AlbertBatch(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds) { Labels = labels, LabelsShape = [b.Rows, b.SequenceLength] };
    }

    public EvalResult Evaluate(IAlbertBackend backend, IReadOnlyList<TaggedSentence> examples, int batchSize)
    {
        var features = examples.Select(Encode).ToList();
        int k = backend.Config.NumLabels;
        var truth = new List<IReadOnlyList<string>>();
        var predicted = new List<IReadOnlyList<string>>();
        long words = 0, correct = 0;
        for (int b = 0; b < features.Count; b += batchSize)
        {
            var chunk = features.Skip(b).Take(batchSize).ToList();
            var batch = EncodedBatch.From(chunk.Select(f => f.Encoding).ToList(), tokenizer.PadTokenId);
            var logits = backend.Forward(batch).Logits!.Data;
            for (int i = 0; i < chunk.Count; i++)
            {
                var gold = new List<string>();
                var guess = new List<string>();
                for (int p = 0; p < chunk[i].Labels.Length; p++)
                {
                    if (chunk[i].Labels[p] == AlbertLosses.IgnoreIndex) continue;
                    int best = TaskMath.ArgMax(logits.AsSpan((i * batch.SequenceLength + p) * k, k));
                    gold.Add(Labels[chunk[i].Labels[p]]);
                    guess.Add(Labels[best]);
                    words++;
                    if (best == chunk[i].Labels[p]) correct++;
                }
                truth.Add(gold);
                predicted.Add(guess);
            }
        }
        var entities = EntityMetrics.Score(truth, predicted);
        return new EvalResult(examples.Count, [
            new("precision", entities.Precision), new("recall", entities.Recall), new("f1", entities.F1),
            new("accuracy", words == 0 ? 0 : (double)correct / words)]);
    }
}
