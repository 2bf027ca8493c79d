using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tasks.Pipelines;
using AlbertGen.Tests;
using AlbertGen.Tokenization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AlbertGen.Tasks.Tests;

/// <summary>
/// The pipelines' batching: texts sorted by length and cut into batches under a token budget give the results of one
/// text at a time, in input order; every forward stays within the budget; streaming, async, cancellation, and the
/// Microsoft.Extensions.AI embedding generator over the same code.
/// </summary>
public class BatchingTests
{
    static readonly string Mlm = Fixtures.Dir("pipeline-mlm");
    static readonly string Sst2 = Fixtures.Dir("pipeline-sst2");

    /// <summary>Texts of very different lengths, the long ones first, so sorting must reorder them.</summary>
    static readonly string[] Texts = Enumerable.Range(0, 23)
        .Select(i => string.Join(' ', Enumerable.Repeat(i % 3 == 0 ? "the quiet harbour lights" : "a ship", 1 + (23 - i) % 7)) + (i % 2 == 0 ? "." : " sailed on"))
        .ToArray();

    /// <summary>Records the shape of every forward of the engine it wraps (padded: rows × seq; packed: sequences × longest, and its tokens).</summary>
    sealed class CountingBackend(IAlbertBackend inner) : IAlbertBackend
    {
        public List<(int Rows, int Seq)> Batches { get; } = [];
        public int PaddedForwards { get; private set; }
        public long PackedTokens { get; private set; }
        public AlbertConfig Config => inner.Config;
        public AlbertHead Head => inner.Head;
        public AlbertOutput Forward(AlbertBatch batch)
        {
            PaddedForwards++;
            Batches.Add((batch.Rows, batch.SequenceLength));
            return inner.Forward(batch);
        }
        public AlbertOutput ForwardPacked(AlbertPackedBatch batch)
        {
            Batches.Add((batch.Sequences, batch.MaxLength));
            PackedTokens += batch.Tokens;
            return inner.ForwardPacked(batch);
        }
        public void Dispose() => inner.Dispose();
    }

    static (TextPipelines Pipelines, CountingBackend Backend) Open(string dir, AlbertHead head, int maxBatchTokens)
    {
        var backend = new CountingBackend(CpuAlbertModel.Load(dir, head, threads: 1));
        return (new TextPipelines(backend, AlbertTokenizer.FromModelDirectory(dir)) { MaxBatchTokens = maxBatchTokens }, backend);
    }

    [Fact]
    public void Embeddings_in_budgeted_batches_equal_one_text_at_a_time_in_input_order()
    {
        var (batched, counter) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 48);
        var (single, _) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 1);
        using var b = counter;
        var vectors = batched.Embed(Texts);
        Assert.Equal(Texts.Length, vectors.Length);
        Assert.True(counter.Batches.Count > 1 && counter.Batches.Count < Texts.Length, $"{counter.Batches.Count} forwards");
        Assert.All(counter.Batches, s => Assert.True(s.Rows == 1 || s.Rows * s.Seq <= 48, $"{s.Rows} × {s.Seq} over the budget"));
        for (int i = 0; i < Texts.Length; i++)
            Assert.True(Fixtures.RelativeError(vectors[i], single.Embed([Texts[i]])[0]) <= 1e-5, $"text {i}");
        single.Backend.Dispose();
    }

    [Fact]
    public void Every_pipeline_forward_is_padding_free_and_equals_the_padded_forward()
    {
        var (pipelines, counter) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 64);
        using var b = counter;
        var packed = pipelines.Embed(Texts);
        Assert.Equal(0, counter.PaddedForwards);
        var tok = pipelines.Tokenizer;
        Assert.Equal(Texts.Sum(t => (long)tok.Encode(t).Length), counter.PackedTokens);
        // the padded forward of each text (HF semantics: pad, mask, mean over attended tokens) gives the same vectors
        for (int i = 0; i < Texts.Length; i += 3)
        {
            var enc = tok.Encode(Texts[i]);
            var two = EncodedBatch.From([enc, tok.Encode(Texts[0] + " " + Texts[1])], tok.PadTokenId);
            var hidden = counter.Forward(two).LastHiddenState!.Data;
            int h = counter.Config.HiddenSize;
            var mean = new float[h];
            for (int p = 0; p < enc.Length; p++)
                for (int d = 0; d < h; d++) mean[d] += hidden[p * h + d] / enc.Length;
            Assert.True(Fixtures.RelativeError(packed[i], mean) <= 1e-5, $"text {i}");
        }
    }

    [Fact]
    public void Sorting_by_length_pads_less_than_input_order()
    {
        var (pipelines, counter) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 64);
        using var b = counter;
        pipelines.Embed(Texts);
        long padded = counter.Batches.Sum(s => (long)s.Rows * s.Seq);
        var tok = pipelines.Tokenizer;
        long real = Texts.Sum(t => (long)tok.Encode(t).Length);
        Assert.True(padded < real * 1.2, $"{padded} padded tokens for {real} real ones");
    }

    [Fact]
    public void Classify_and_fill_mask_batches_keep_input_order()
    {
        var (cls, c1) = Open(Sst2, AlbertHead.SequenceClassification, maxBatchTokens: 40);
        using (c1)
        {
            var all = cls.Classify(Texts);
            for (int i = 0; i < Texts.Length; i += 5)
                Assert.Equal(cls.Classify([Texts[i]])[0].Select(s => s.Label), all[i].Select(s => s.Label));
        }
        var (mlm, c2) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 40);
        using (c2)
        {
            string[] masked = [.. Texts.Select((t, i) => i % 2 == 0 ? "[MASK] " + t : t + " [MASK]")];
            var all = mlm.FillMask(masked, topK: 3);
            for (int i = 0; i < masked.Length; i += 4)
                Assert.Equal(mlm.FillMask([masked[i]], topK: 3)[0][0].Select(c => c.TokenId), all[i][0].Select(c => c.TokenId));
            // fill-mask outputs tokens × vocabulary floats: the output budget makes its batches smaller still
            var (tight, c3) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 4096);
            using (c3)
            {
                tight = new TextPipelines(c3, tight.Tokenizer) { MaxBatchOutputs = 20L * mlm.Backend.Config.VocabSize };
                tight.FillMask(masked);
                Assert.All(c3.Batches, s => Assert.True(s.Rows == 1 || s.Rows * s.Seq <= 20, $"{s.Rows} × {s.Seq}"));
            }
        }
    }

    [Fact]
    public async Task Streaming_and_async_give_the_same_vectors_and_cancellation_stops()
    {
        var (pipelines, counter) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 64);
        using var b = counter;
        var streaming = new TextPipelines(counter, pipelines.Tokenizer) { StreamWindow = 5, MaxBatchTokens = 64 };
        var expected = pipelines.Embed(Texts);
        var streamed = new List<float[]>();
        await foreach (var v in streaming.EmbedStreamAsync(Texts.ToAsyncEnumerable()))
            streamed.Add(v);
        Assert.Equal(expected.Length, streamed.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], streamed[i]);
        Assert.Equal(expected, await pipelines.EmbedAsync(Texts));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipelines.EmbedAsync(Texts, cancellationToken: cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => pipelines.Embed(Texts, cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task The_embedding_generator_equals_Embed_normalised_and_registers_in_DI()
    {
        var (pipelines, counter) = Open(Mlm, AlbertHead.MaskedLM, maxBatchTokens: 2048);
        using var b = counter;
        using IEmbeddingGenerator<string, Embedding<float>> generator = new AlbertEmbeddingGenerator(pipelines, normalize: true, modelId: "pipeline-mlm");
        var generated = await generator.GenerateAsync(Texts);
        var expected = pipelines.Embed(Texts);
        Assert.Equal(Texts.Length, generated.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            var v = generated[i].Vector.ToArray();
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            Assert.InRange(norm, 1 - 1e-6, 1 + 1e-6);
            double scale = Math.Sqrt(expected[i].Sum(x => (double)x * x));
            Assert.True(Fixtures.RelativeError(v, expected[i].Select(x => (float)(x / scale)).ToArray()) <= 1e-6, $"text {i}");
            Assert.Equal("pipeline-mlm", generated[i].ModelId);
        }
        Assert.True(generated.Usage!.InputTokenCount > Texts.Length);
        var metadata = (EmbeddingGeneratorMetadata)generator.GetService(typeof(EmbeddingGeneratorMetadata))!;
        Assert.Equal(pipelines.Backend.Config.HiddenSize, metadata.DefaultModelDimensions);
        Assert.Same(generator, generator.GetService(typeof(IEmbeddingGenerator<string, Embedding<float>>)));

        var services = new ServiceCollection().AddAlbertEmbeddingGenerator(Mlm).BuildServiceProvider();
        await using (services)
        {
            var fromDi = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var one = await fromDi.GenerateAsync(["a ship sailed on"]);
            Assert.True(Fixtures.RelativeError(one[0].Vector.ToArray(), pipelines.Embed(["a ship sailed on"])[0]) <= 1e-5);
        }
    }

    /// <summary>
    /// Without a folder the DI registration resolves the default embedding model next to the app; where it is not
    /// installed (this test project does not copy the models) resolving names the model and the folder it looked in.
    /// </summary>
    [Fact]
    public async Task Embedding_generator_without_a_folder_opens_the_default_or_names_it()
    {
        var services = new ServiceCollection().AddAlbertEmbeddingGenerator().BuildServiceProvider();
        await using (services)
        {
            if (Directory.Exists(DefaultModels.PathOf(DefaultModels.Embedding)))
            {
                var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
                Assert.Equal(384, (await generator.GenerateAsync(["a ship sailed on"]))[0].Vector.Length);
                return;
            }
            var e = Assert.Throws<DirectoryNotFoundException>(() => services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
            Assert.Contains(DefaultModels.Embedding, e.Message);
            Assert.Contains(DefaultModels.PathOf(DefaultModels.Embedding), e.Message);
        }
    }
}
