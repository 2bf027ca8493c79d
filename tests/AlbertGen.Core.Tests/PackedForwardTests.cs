using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

/// <summary>
/// The padding-free forward (D33): sequences packed without padding give, at every real position, the numbers of the
/// HF reference (golden fixtures) and of the padded forward (random batches, every head), within 1e-5 relative.
/// </summary>
public class PackedForwardTests
{
    /// <summary>Outputs with one row per token (the others have one row per sequence, or are losses).</summary>
    static bool PerToken(string name, AlbertHead head) =>
        name is "last_hidden_state" or "prediction_logits" or "start_logits" or "end_logits"
        || (name == "logits" && head is AlbertHead.MaskedLM or AlbertHead.TokenClassification);

    /// <summary>The rows of a padded per-token tensor (rows × seq × width) at each row's first lengths[r] positions, one after another.</summary>
    static float[] RealRows(float[] padded, int rows, int seq, int[] lengths)
    {
        int width = padded.Length / (rows * seq);
        var packed = new List<float>();
        for (int r = 0; r < rows; r++)
            packed.AddRange(padded.AsSpan(r * seq * width, lengths[r] * width).ToArray());
        return [.. packed];
    }

    /// <summary>Each row's attended length, counted by the test from the mask (right padding assumed).</summary>
    static int[] Lengths(AlbertBatch batch) =>
        Enumerable.Range(0, batch.Rows).Select(r => Enumerable.Range(0, batch.SequenceLength).Count(p => batch.AttentionMaskAt(r, p) == 1)).ToArray();

    static bool RightPadded(AlbertBatch batch) =>
        Enumerable.Range(0, batch.Rows).All(r =>
        {
            int n = Enumerable.Range(0, batch.SequenceLength).Count(p => batch.AttentionMaskAt(r, p) == 1);
            return n > 0 && Enumerable.Range(0, n).All(p => batch.AttentionMaskAt(r, p) == 1);
        });

    [Theory]
    [MemberData(nameof(GoldenFixtureTests.Names), MemberType = typeof(GoldenFixtureTests))]
    public void Golden_fixtures_through_the_packed_forward_match_the_hf_reference(string name)
    {
        string dir = Fixtures.Dir(name);
        using var model = CpuAlbertModel.Load(dir);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        if (!RightPadded(batch))
        {
            // a mask hole or a fully masked row has no packed form: refused, naming the row
            var e = Assert.Throws<AlbertInputException>(() => AlbertPackedBatch.FromPadded(batch));
            Assert.Contains("attention_mask row", e.Message, StringComparison.Ordinal);
            Assert.Contains("padded forward", e.Message, StringComparison.Ordinal);
            return;
        }
        var packed = AlbertPackedBatch.FromPadded(batch);
        var lengths = Lengths(batch);
        Assert.Equal(lengths.Sum(), packed.Tokens);
        var output = model.ForwardPacked(packed).Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        using var expected = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
        int compared = 0;
        foreach (var entry in expected.Tensors)
        {
            if (entry.Name.StartsWith("grad.", StringComparison.Ordinal) || entry.Name.EndsWith("loss", StringComparison.Ordinal))
            {
                Assert.False(output.ContainsKey(entry.Name), $"{entry.Name}: a packed forward computes no loss");
                continue;
            }
            var e = expected.GetEntry(entry.Name);
            var want = new float[e.ElementCount];
            expected.ReadAsFloat32(e, want);
            var got = output[entry.Name];
            if (PerToken(entry.Name, model.Head))
            {
                want = RealRows(want, batch.Rows, batch.SequenceLength, lengths);
                Assert.Equal(packed.Tokens, got.Shape[0]);
            }
            else
            {
                Assert.Equal(e.Shape, got.Shape);
            }
            double err = Fixtures.RelativeError(got.Data, want);
            Assert.True(err <= 1e-5, $"{name} {entry.Name}: relative error {err:E3}");
            compared++;
        }
        Assert.True(compared >= 1, "no output compared");
    }

    /// <summary>Models with every head the engine computes (each fixture's own head) and the bare encoder.</summary>
    public static TheoryData<string, int> RandomCases() => new()
    {
        { "tiny", 1 }, { "tiny", 2 }, { "masked-lm", 2 }, { "seqcls-single", 1 }, { "seqcls-regression", 2 }, { "tokcls", 2 },
        { "qa", 1 }, { "multiple-choice", 2 }, { "groups3-inner2", 2 }, { "bare-names", 1 }, { "pretraining-untied", 2 },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_lengths_equal_the_padded_forward_at_every_real_position(string fixture, int threads)
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir(fixture), threads: threads);
        var c = model.Config;
        var rng = new Random(fixture.Length * 31 + threads);
        int choices = model.Head == AlbertHead.MultipleChoice ? 3 : 0;
        // batch 1..N, lengths 1..max_position_embeddings, the extremes always among them
        for (int trial = 0; trial < 12; trial++)
        {
            int batchSize = trial switch { 0 => 1, 1 => 2, _ => rng.Next(1, 10) };
            int rows = choices > 0 ? batchSize * choices : batchSize;
            int max = c.MaxPositionEmbeddings;
            var lengths = Enumerable.Range(0, rows).Select(r => trial switch
            {
                0 => max,
                1 => r == 0 ? 1 : max,
                _ => rng.Next(10) == 0 ? max : rng.Next(1, Math.Min(max, 30) + 1),
            }).ToArray();
            int seq = lengths.Max();
            var ids = new int[rows * seq];
            var mask = new int[rows * seq];
            var types = new int[rows * seq];
            var starts = new int[rows + 1];
            for (int r = 0; r < rows; r++)
            {
                starts[r + 1] = starts[r] + lengths[r];
                for (int p = 0; p < seq; p++)
                {
                    bool real = p < lengths[r];
                    ids[r * seq + p] = real ? rng.Next(c.VocabSize) : rng.Next(c.VocabSize); // padding ids must not matter
                    mask[r * seq + p] = real ? 1 : 0;
                    types[r * seq + p] = real && p > lengths[r] / 2 ? 1 : 0;
                }
            }
            var packedIds = new int[starts[rows]];
            var packedTypes = new int[packedIds.Length];
            for (int r = 0; r < rows; r++)
            {
                Array.Copy(ids, r * seq, packedIds, starts[r], lengths[r]);
                Array.Copy(types, r * seq, packedTypes, starts[r], lengths[r]);
            }
            var padded = model.Forward(new AlbertBatch(rows, seq, ids, mask, types, choices)).Named().ToDictionary(kv => kv.Key, kv => kv.Value);
            var packed = model.ForwardPacked(new AlbertPackedBatch(packedIds, starts, packedTypes, choices)).Named().ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(padded.Keys.Order(), packed.Keys.Order());
            foreach (var (name, p) in padded)
            {
                var want = PerToken(name, model.Head) ? RealRows(p.Data, rows, seq, lengths) : p.Data;
                double err = Fixtures.RelativeError(packed[name].Data, want);
                Assert.True(err <= 1e-5, $"{fixture} trial {trial} ({rows} rows, lengths {string.Join(",", lengths)}): {name} relative error {err:E3}");
            }
        }
    }

    [Fact]
    public void A_sequence_gives_the_same_numbers_alone_and_in_any_packed_batch()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("tiny"), threads: 2);
        int[] one = [2, 17, 40, 9, 33, 3];
        var alone = model.ForwardPacked(new AlbertPackedBatch(one, [0, one.Length])).LastHiddenState!.Data;
        var rng = new Random(5);
        var before = Enumerable.Range(0, 37).Select(_ => rng.Next(99)).ToArray();
        var after = Enumerable.Range(0, 11).Select(_ => rng.Next(99)).ToArray();
        var together = model.ForwardPacked(new AlbertPackedBatch([.. before, .. one, .. after], [0, 20, 37, 43, 54])).LastHiddenState!;
        Assert.Equal([54, 32], together.Shape);
        var mine = together.Data.AsSpan(37 * 32, one.Length * 32);
        Assert.True(Fixtures.RelativeError(mine, alone) <= 1e-6, "the neighbours changed the sequence's hidden states");
    }

    [Fact]
    public void Default_interface_forward_pads_and_packs_like_the_engine()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("qa"), threads: 1);
        IAlbertBackend padding = new PaddedOnly(model);
        var batch = new AlbertPackedBatch([2, 5, 9, 3, 2, 7, 3, 2, 11, 12, 13, 14, 3], [0, 4, 7, 13], [0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1]);
        var viaPadding = padding.ForwardPacked(batch);
        var direct = model.ForwardPacked(batch);
        Assert.Equal([13], viaPadding.StartLogits!.Shape);
        foreach (var (name, t) in direct.Named())
        {
            var other = viaPadding.Named().Single(kv => kv.Key == name).Value;
            Assert.Equal(t.Shape, other.Shape);
            Assert.True(Fixtures.RelativeError(other.Data, t.Data) <= 1e-5, name);
        }
    }

    /// <summary>A backend that implements only the padded forward: the interface's default packs around it.</summary>
    sealed class PaddedOnly(IAlbertBackend inner) : IAlbertBackend
    {
        public AlbertConfig Config => inner.Config;
        public AlbertHead Head => inner.Head;
        public AlbertOutput Forward(AlbertBatch batch) => inner.Forward(batch);
        public void Dispose() { }
    }

    [Fact]
    public void FromPadded_packs_right_padding_and_refuses_holes_naming_the_row()
    {
        var batch = new AlbertBatch(3, 4, [2, 5, 6, 3, 2, 7, 3, 0, 2, 3, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0], [0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0]);
        var packed = AlbertPackedBatch.FromPadded(batch);
        Assert.Equal([0, 4, 7, 9], packed.SequenceStarts);
        Assert.Equal([2, 5, 6, 3, 2, 7, 3, 2, 3], packed.InputIds);
        Assert.Equal([0, 0, 1, 1, 0, 1, 1, 0, 0], packed.TokenTypeIds!);
        Assert.Equal(4, packed.MaxLength);

        var hole = new AlbertBatch(2, 3, [2, 5, 3, 2, 5, 3], [1, 1, 1, 1, 0, 1]);
        var e = Assert.Throws<AlbertInputException>(() => AlbertPackedBatch.FromPadded(hole));
        Assert.Contains("attention_mask row 1 is not right padding (0 at position 1, then 1 at position 2)", e.Message, StringComparison.Ordinal);
        Assert.False(AlbertPackedBatch.TryFromPadded(new AlbertBatch(1, 2, [2, 3], [0, 0]), out _, out string? reason));
        Assert.Contains("row 0 attends to no token", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 0 }, "at least one sequence")]
    [InlineData(new[] { 1, 3 }, "first sequence start must be 0")]
    [InlineData(new[] { 0, 2, 2, 3 }, "packed sequence 1 is empty")]
    [InlineData(new[] { 0, 2, 1, 3 }, "packed sequence 1 is empty")]
    [InlineData(new[] { 0, 2 }, "input_ids has 3 ids")]
    public void Malformed_sequence_starts_are_refused(int[] starts, string message)
    {
        var e = Assert.Throws<AlbertInputException>(() => new AlbertPackedBatch([2, 5, 3], starts));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_packed_inputs_name_the_sequence_and_the_limit()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("tiny"), threads: 1);
        var c = model.Config;
        var e = Assert.Throws<AlbertInputException>(() => model.ForwardPacked(new AlbertPackedBatch([2, 3, 2, 99, 3], [0, 2, 5])));
        Assert.Contains("packed sequence 1, position 1 = 99 is outside the vocabulary (vocab_size 99)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<AlbertInputException>(() => model.ForwardPacked(new AlbertPackedBatch([2, 3, 2, 5, 3], [0, 2, 5], [0, 0, 0, 2, 0])));
        Assert.Contains("token_type_ids of packed sequence 1, position 1 = 2", e.Message, StringComparison.Ordinal);
        int tooLong = c.MaxPositionEmbeddings + 1;
        e = Assert.Throws<AlbertInputException>(() => model.ForwardPacked(new AlbertPackedBatch(new int[tooLong + 2], [0, 2, tooLong + 2])));
        Assert.Contains($"packed sequence 1 has {tooLong} tokens, more than max_position_embeddings ({c.MaxPositionEmbeddings})", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<AlbertInputException>(() => model.ForwardPacked(new AlbertPackedBatch([2, 3, 2, 3], [0, 2, 4], numChoices: 2)));
        Assert.Contains("only the multiple-choice head", e.Message, StringComparison.Ordinal);

        // the token budget (D23) counts packed tokens: one over it is refused, naming the limit
        int seq = c.MaxPositionEmbeddings;
        int sequences = (int)(model.MaxTokens / seq) + 1;
        var starts = Enumerable.Range(0, sequences + 1).Select(s => s * seq).ToArray();
        e = Assert.Throws<AlbertInputException>(() => model.ForwardPacked(new AlbertPackedBatch(new int[sequences * seq], starts)));
        Assert.Contains($"budget of {model.MaxTokens} tokens", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiple_choice_needs_choices_when_packed()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("multiple-choice"), threads: 1);
        var e = Assert.Throws<AlbertInputException>(() => model.ForwardPacked(new AlbertPackedBatch([2, 3, 2, 3], [0, 2, 4])));
        Assert.Contains("numChoices", e.Message, StringComparison.Ordinal);
        var logits = model.ForwardPacked(new AlbertPackedBatch([2, 3, 2, 5, 3, 2, 3, 2, 9, 3], [0, 2, 5, 7, 10], numChoices: 2)).Logits!;
        Assert.Equal([2, 2], logits.Shape);
    }

    [Fact]
    public void Steady_state_packed_forward_allocates_only_its_outputs()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("tiny"), threads: 2);
        var batch = AlbertPackedBatch.FromPadded(AlbertBatch.Load(Path.Combine(Fixtures.Dir("tiny"), "inputs.json")));
        model.ForwardPacked(batch);
        model.ForwardPacked(batch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var output = model.ForwardPacked(batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long outputBytes = output.Named().Sum(kv => (long)kv.Value.Length * sizeof(float));
        Assert.True(allocated <= outputBytes + 4096, $"packed forward allocated {allocated} bytes; outputs are {outputBytes} bytes");
    }
}
