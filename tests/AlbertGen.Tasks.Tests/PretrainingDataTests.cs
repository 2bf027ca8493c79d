using Xunit;
using AlbertGen.Tasks.Pretraining;
using AlbertGen.Tokenization;
using TokenizerFixtures = AlbertGen.Tokenization.Tests.Fixtures;

namespace AlbertGen.Tasks.Tests;

/// <summary>ALBERT's pretraining data recipe (create_pretraining_data.py): rates and distributions over many instances.</summary>
public class PretrainingDataTests
{
    static readonly SentencePieceAlbertTokenizer Tok = TokenizerFixtures.Albert("u3000");

    /// <summary>Documents made of the fixture's corpus paragraphs (lines longer than 200 chars), 8 sentences-ish each.</summary>
    static List<IReadOnlyList<int[]>> Documents()
    {
        var paragraphs = TokenizerFixtures.Lines.Where(l => l.Length > 200).ToList();
        var docs = new List<IReadOnlyList<int[]>>();
        for (int i = 0; i + 4 <= paragraphs.Count; i += 4)
        {
            var sentences = paragraphs.Skip(i).Take(4).SelectMany(CorpusReader.Sentences)
                .Select(s => Tok.TokenizeToSpans(s).Select(t => t.Id).ToArray()).Where(s => s.Length > 0).ToList();
            docs.Add(sentences);
        }
        return docs;
    }

    static List<PretrainingInstance> Build(PretrainingDataOptions options) =>
        Documents().SelectMany(new PretrainingDataBuilder(Tok, options).FromDocument).ToList();

    static readonly PretrainingDataOptions Options = new() { MaxSeqLength = 128, MaxPredictionsPerSeq = 20, Seed = 7 };

    [Fact]
    public void Enough_instances_for_the_statistics()
    {
        Assert.True(Build(Options).Count >= 300, "the fixture corpus should give a few hundred instances");
    }

    [Fact]
    public void Layout_is_cls_a_sep_b_sep_padded_with_types_and_mask()
    {
        foreach (var x in Build(Options))
        {
            int n = x.AttentionMask.Sum();
            Assert.Equal(128, x.InputIds.Length);
            Assert.True(n <= 128);
            Assert.Equal(Tok.ClsTokenId, x.InputIds[0]);
            Assert.Equal(Tok.SepTokenId, x.InputIds[n - 1]);
            Assert.Equal(2, x.InputIds.Take(n).Count(id => id == Tok.SepTokenId) - x.Labels.Take(n).Count(l => l == Tok.SepTokenId));
            int firstB = Array.IndexOf(x.TokenTypeIds, 1);
            Assert.True(firstB > 1 && x.InputIds[firstB - 1] == Tok.SepTokenId, "B starts right after the first [SEP]");
            Assert.All(x.InputIds.Skip(n), id => Assert.Equal(Tok.PadTokenId, id));
            Assert.All(x.Labels.Skip(n), l => Assert.Equal(-100, l));
            Assert.Equal(-100, x.Labels[0]);
        }
    }

    [Fact]
    public void Masking_rate_is_15_percent_capped_at_max_predictions()
    {
        foreach (var x in Build(Options))
        {
            int n = x.AttentionMask.Sum();
            int expected = Math.Min(20, Math.Max(1, (int)Math.Round(n * 0.15, MidpointRounding.ToEven)));
            // whole-word n-grams may leave the count a little short of the target, never above it
            Assert.InRange(x.MaskedCount, Math.Max(1, expected - 3), expected);
        }
    }

    [Fact]
    public void Replacements_are_80_percent_mask_10_random_10_kept()
    {
        int mask = 0, kept = 0, other = 0;
        foreach (var x in Build(Options with { MaxPredictionsPerSeq = 60 }))
        {
            for (int i = 0; i < x.Labels.Length; i++)
            {
                if (x.Labels[i] == -100) continue;
                if (x.InputIds[i] == Tok.MaskTokenId) mask++;
                else if (x.InputIds[i] == x.Labels[i]) kept++;
                else other++;
            }
        }
        double total = mask + kept + other;
        Assert.True(total > 3000);
        Assert.InRange(mask / total, 0.77, 0.83);
        Assert.InRange(kept / total, 0.08, 0.12); // a random draw can also hit the original token (p ≈ 1/3000)
        Assert.InRange(other / total, 0.08, 0.12);
    }

    [Fact]
    public void Sentence_order_labels_are_balanced()
    {
        var xs = Build(Options);
        double swapped = xs.Count(x => x.SentenceOrderLabel == 1) / (double)xs.Count;
        Assert.InRange(swapped, 0.42, 0.62);
    }

    [Fact]
    public void Masked_spans_are_whole_words_and_ngram_lengths_favour_short()
    {
        var counts = new int[4];
        foreach (var x in Build(Options with { MaxPredictionsPerSeq = 60 }))
        {
            int n = x.AttentionMask.Sum();
            // a masked piece that continues a word (no ▁) must have its word start masked too
            for (int i = 1; i < n; i++)
            {
                if (x.Labels[i] == -100) continue;
                string piece = Tok.IdToToken(x.Labels[i]);
                if (!piece.StartsWith('\u2581') && x.Labels[i] != Tok.SepTokenId && x.InputIds[i - 1] != Tok.SepTokenId && i > 1)
                    Assert.True(x.Labels[i - 1] != -100, $"piece '{piece}' masked without the start of its word");
            }
            // count masked runs in words
            int words = 0;
            for (int i = 1; i < n; i++)
            {
                bool m = x.Labels[i] != -100;
                bool start = m && Tok.IdToToken(x.Labels[i]).StartsWith('\u2581');
                if (start) words++;
                if ((!m || i == n - 1) && words > 0)
                {
                    counts[Math.Min(words, 3)]++;
                    words = 0;
                }
            }
        }
        // adjacent masked n-grams merge into longer runs, so the observed run lengths are a lower bound on shortness:
        // unigram runs must still dominate (p(1) = 6/11 before merging)
        Assert.True(counts[1] > counts[2] && counts[2] > 0 && counts[3] > 0, $"runs: 1={counts[1]} 2={counts[2]} 3+={counts[3]}");
    }

    [Fact]
    public void Same_seed_same_data_other_seed_other_data()
    {
        var a = Build(Options);
        var b = Build(Options);
        var c = Build(Options with { Seed = 8 });
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].InputIds, b[i].InputIds);
            Assert.Equal(a[i].Labels, b[i].Labels);
            Assert.Equal(a[i].SentenceOrderLabel, b[i].SentenceOrderLabel);
        }
        Assert.NotEqual(a.Select(x => x.InputIds.Sum()).Sum(), c.Select(x => x.InputIds.Sum()).Sum());
    }

    [Fact]
    public void Short_sequence_probability_gives_shorter_instances()
    {
        var full = Build(Options with { ShortSeqProb = 0 });
        var shortish = Build(Options with { ShortSeqProb = 1 });
        Assert.True(shortish.Average(x => x.AttentionMask.Sum()) < full.Average(x => x.AttentionMask.Sum()));
    }

    [Fact]
    public void Sentence_splitter_keeps_abbreviation_free_sentences_apart()
    {
        Assert.Equal(["It was dark.", "\"Who is there?\" she asked.", "Nobody answered!"],
            CorpusReader.Sentences("It was dark. \"Who is there?\" she asked. Nobody answered!").ToArray());
    }
}
