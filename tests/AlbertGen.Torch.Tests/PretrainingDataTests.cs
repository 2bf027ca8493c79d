using AlbertGen.Model;
using AlbertGen.Torch.Data;

namespace AlbertGen.Torch.Tests;

/// <summary>The create_pretraining_data port: format, masking budget and rates, whole words, n-gram law, SOP, determinism.</summary>
public class PretrainingDataTests
{
    const int Cls = 2, Sep = 3, MaskId = 4, DocSpan = 300, Docs = 40;

    /// <summary>Ids ≥ 5; a piece continues a word when id % 3 == 0; text is space-separated ids.</summary>
    static readonly IPieceTokenizer Tok = IPieceTokenizer.FromDelegates(
        s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray(),
        id => id >= 5 && id % 3 != 0, vocabSize: 5 + Docs * DocSpan, clsId: Cls, sepId: Sep, maskId: MaskId, padId: 0);

    static bool IsSpecial(int id) => id is Cls or Sep;

    /// <summary>Documents whose ids increase through the text, each in its own id range (so order and origin can be read back).</summary>
    static List<List<int[]>> Corpus(int seed, int docs = Docs)
    {
        var rng = new Random(seed);
        var list = new List<List<int[]>>();
        for (int d = 0; d < docs; d++)
        {
            int next = 5 + d * DocSpan;
            var doc = new List<int[]>();
            int sentences = rng.Next(6, 14);
            for (int s = 0; s < sentences; s++)
            {
                int n = rng.Next(3, 16);
                doc.Add(Enumerable.Range(next, n).ToArray());
                next += n;
            }
            list.Add(doc);
        }
        return list;
    }

    static int[] Original(TrainingInstance x)
    {
        var t = (int[])x.InputIds.Clone();
        for (int k = 0; k < x.MaskedPositions.Length; k++) t[x.MaskedPositions[k]] = x.MaskedLabels[k];
        return t;
    }

    static List<TrainingInstance> Instances(PretrainingDataOptions o, int seed, int passes)
    {
        var b = new PretrainingDataBuilder(Tok, o);
        var docs = Corpus(seed);
        var all = new List<TrainingInstance>();
        for (int p = 0; p < passes; p++) all.AddRange(b.CreateInstances(docs, new Random(seed * 100 + p)));
        return all;
    }

    [Fact]
    public void Instances_are_cls_a_sep_b_sep_within_max_length()
    {
        var o = new PretrainingDataOptions { MaxSeqLength = 64 };
        foreach (var x in Instances(o, 1, 2))
        {
            var t = Original(x);
            Assert.True(t.Length <= 64);
            Assert.Equal(Cls, t[0]);
            Assert.Equal(Sep, t[^1]);
            int sep = Array.IndexOf(t, Sep);
            Assert.True(sep >= 2 && sep <= t.Length - 3, "A and B must both be non-empty");
            Assert.Equal(2, t.Count(v => v == Sep));
            for (int i = 0; i < t.Length; i++) Assert.Equal(i > sep ? 1 : 0, x.TokenTypeIds[i]);
            Assert.All(x.MaskedPositions, p => Assert.False(IsSpecial(t[p])));
        }
    }

    [Fact]
    public void Masking_uses_the_budget_and_keeps_whole_words()
    {
        var o = new PretrainingDataOptions { MaxSeqLength = 128 };
        long tokens = 0, masked = 0, budget = 0;
        foreach (var x in Instances(o, 2, 6))
        {
            var t = Original(x);
            int cap = Math.Min(20, Math.Max(1, (int)Math.Round(t.Length * 0.15, MidpointRounding.ToEven)));
            Assert.True(x.MaskedPositions.Length <= cap);
            tokens += t.Length;
            masked += x.MaskedPositions.Length;
            budget += cap;
            var set = x.MaskedPositions.ToHashSet();
            foreach (int p in x.MaskedPositions)
            {
                // a continuation piece is masked with the piece before it; the piece after a masked one, if it continues the word, too
                if (!Tok.IsWordStart(t[p]) && !IsSpecial(t[p - 1])) Assert.Contains(p - 1, set);
                if (p + 1 < t.Length && !IsSpecial(t[p + 1]) && !Tok.IsWordStart(t[p + 1])) Assert.Contains(p + 1, set);
            }
        }
        Assert.True(masked >= 0.95 * budget, $"masked {masked} of a budget of {budget}");
        double rate = (double)masked / tokens;
        Assert.InRange(rate, 0.13, 0.155);
    }

    [Fact]
    public void Masked_tokens_are_80_percent_mask_10_kept_10_random()
    {
        var o = new PretrainingDataOptions { MaxSeqLength = 128 };
        int mask = 0, kept = 0, random = 0;
        foreach (var x in Instances(o, 3, 40))
        {
            for (int k = 0; k < x.MaskedPositions.Length; k++)
            {
                int v = x.InputIds[x.MaskedPositions[k]];
                if (v == MaskId) mask++;
                else if (v == x.MaskedLabels[k]) kept++;
                else random++;
            }
        }
        double n = mask + kept + random;
        Assert.True(n > 10000, $"only {n} masked tokens");
        // ±3σ at this sample size (deterministic seeds, so the check is stable)
        Assert.InRange(mask / n, 0.785, 0.815);
        Assert.InRange(kept / n, 0.088, 0.112);
        Assert.InRange(random / n, 0.088, 0.112);
    }

    [Fact]
    public void Ngram_lengths_follow_one_over_n()
    {
        var rng = new Random(5);
        var counts = new int[4];
        const int draws = 200_000;
        for (int i = 0; i < draws; i++) counts[PretrainingDataBuilder.SampleNgram(rng, 3)]++;
        Assert.InRange(counts[1] / (double)draws, 6 / 11.0 - 0.01, 6 / 11.0 + 0.01);
        Assert.InRange(counts[2] / (double)draws, 3 / 11.0 - 0.01, 3 / 11.0 + 0.01);
        Assert.InRange(counts[3] / (double)draws, 2 / 11.0 - 0.01, 2 / 11.0 + 0.01);
        Assert.Equal(1, PretrainingDataBuilder.SampleNgram(rng, 1));
    }

    [Fact]
    public void Sentence_order_is_swapped_half_the_time_and_labelled_1()
    {
        var o = new PretrainingDataOptions { MaxSeqLength = 64, ShortSeqProb = 0 };
        int swapped = 0, total = 0;
        foreach (var x in Instances(o, 4, 8))
        {
            var t = Original(x);
            int sep = Array.IndexOf(t, Sep);
            var a = t[1..sep];
            var b = t[(sep + 1)..^1];
            bool sameDoc = (a[0] - 5) / DocSpan == (b[0] - 5) / DocSpan;
            if (x.SentenceOrderLabel == 0)
            {
                Assert.True(sameDoc && a.Max() < b.Min(), "label 0: A comes before B in the same document");
            }
            else
            {
                Assert.True(!sameDoc || a.Min() > b.Max(), "label 1: B before A, or B from another document");
                swapped++;
            }
            total++;
        }
        Assert.InRange(swapped / (double)total, 0.45, 0.58);
    }

    [Fact]
    public void Short_sequences_appear_with_short_seq_prob()
    {
        double MeanLength(double p) => Instances(new PretrainingDataOptions { MaxSeqLength = 128, ShortSeqProb = p }, 6, 4).Average(x => x.InputIds.Length);
        double full = MeanLength(0), shortOnly = MeanLength(1);
        Assert.True(shortOnly < 0.75 * full, $"mean length {shortOnly:F1} with short_seq_prob 1 vs {full:F1} with 0");
    }

    [Fact]
    public void Same_seed_same_data_other_seed_other_data()
    {
        var b = new PretrainingDataBuilder(Tok, new PretrainingDataOptions { MaxSeqLength = 32 });
        var docs = Corpus(7, 10);
        var s1 = new CorpusBatchSource(b, docs, 4, seed: 11);
        var s2 = new CorpusBatchSource(b, docs, 4, seed: 11);
        var s3 = new CorpusBatchSource(b, docs, 4, seed: 12);
        foreach (long step in new long[] { 0, 5, 3, 1000 })
        {
            var x = s1.BatchFor(step);
            Assert.Equal(x.InputIds, s2.BatchFor(step).InputIds);
            Assert.Equal(x.Labels, s2.BatchFor(step).Labels);
            Assert.Equal(4, x.Rows);
            Assert.Equal(32, x.SequenceLength);
            Assert.All(Enumerable.Range(0, x.Labels!.Length), i => Assert.True(x.Labels[i] == AlbertLosses.IgnoreIndex || x.AttentionMask![i] == 1));
        }
        Assert.NotEqual(s1.BatchFor(0).InputIds, s3.BatchFor(0).InputIds);
    }

    [Fact]
    public void Documents_are_read_from_lines_with_blank_line_boundaries()
    {
        string f = Path.Combine(Path.GetTempPath(), "albertgen-corpus-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            File.WriteAllText(f, "5 6 7\n8 9\n\n\n10 11\n  \n12\n");
            var docs = new PretrainingDataBuilder(Tok, new PretrainingDataOptions()).ReadDocuments([f]);
            Assert.Equal(3, docs.Count);
            Assert.Equal([[5, 6, 7], [8, 9]], docs[0]);
            Assert.Equal([[10, 11]], docs[1]);
            Assert.Equal([[12]], docs[2]);
        }
        finally
        {
            File.Delete(f);
        }
    }

    [Fact]
    public void Greedy_piece_tokenizer_takes_longest_pieces_and_marks_word_starts()
    {
        var tok = new GreedyPieceTokenizer(["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]", "▁the", "▁cat", "s", "▁ca", "t", "▁"]);
        Assert.Equal([5, 6, 7, 8, 1], tok.Encode("The  cats ca?"));
        Assert.True(tok.IsWordStart(6));
        Assert.False(tok.IsWordStart(7));
        Assert.Equal(4, tok.MaskId);
    }
}
