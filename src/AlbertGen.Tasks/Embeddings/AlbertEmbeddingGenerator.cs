using AlbertGen.Tasks.Pipelines;
using Microsoft.Extensions.AI;

namespace AlbertGen.Tasks.Embeddings;

/// <summary>
/// ALBERT sentence embeddings as a Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (the
/// interface Semantic Kernel and the vector-store abstractions take): <see cref="TextPipelines.Embed(IReadOnlyList{string}, bool, CancellationToken)"/> (length-sorted
/// batches under the pipelines' token budget), mean or [CLS] pooling, optionally L2-normalised. Thread-safe as the
/// backend is (the CPU engine serialises forwards).
/// </summary>
public sealed class AlbertEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    readonly TextPipelines _pipelines;
    readonly bool _ownsPipelines;
    readonly EmbeddingGeneratorMetadata _metadata;

    /// <param name="pipelines">the model and tokenizer; disposed with this generator when <paramref name="ownsPipelines"/></param>
    /// <param name="meanPooling">mean of the attended tokens' last hidden states (sentence-transformers' default), else the [CLS] state</param>
    /// <param name="normalize">scale each vector to unit length (cosine similarity becomes a dot product)</param>
    /// <param name="modelId">the id reported in metadata and on each embedding (default: the config's source name)</param>
    /// <param name="ownsPipelines">dispose <paramref name="pipelines"/> (and the engine it opened) with this generator</param>
    public AlbertEmbeddingGenerator(TextPipelines pipelines, bool meanPooling = true, bool normalize = false, string? modelId = null, bool ownsPipelines = false)
        : this(pipelines, new SentenceTransformersConfig { Pooling = meanPooling ? EmbeddingPooling.Mean : EmbeddingPooling.Cls, Normalize = normalize }, modelId, ownsPipelines)
    {
    }

    /// <summary>
    /// A generator with sentence-transformers settings (pooling mean / cls / max, normalisation, <c>max_seq_length</c>,
    /// default prompt): <see cref="SentenceTransformersConfig.Load"/> reads them from a model folder (docs/decisions.md D32).
    /// </summary>
    public AlbertEmbeddingGenerator(TextPipelines pipelines, SentenceTransformersConfig settings, string? modelId = null, bool ownsPipelines = false)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(settings);
        _pipelines = pipelines;
        _ownsPipelines = ownsPipelines;
        Settings = settings;
        MeanPooling = settings.Pooling == EmbeddingPooling.Mean;
        Normalize = settings.Normalize;
        _metadata = new EmbeddingGeneratorMetadata("albertgen", providerUri: null, modelId ?? pipelines.Backend.Config.SourceName,
            pipelines.Backend.Config.HiddenSize);
    }

    /// <summary>
    /// A generator over the model folder <paramref name="modelDirectory"/> (CPU engine, disposed with the generator) whose
    /// defaults are the folder's sentence-transformers modules when it has them (pooling, Normalize, max_seq_length,
    /// default prompt), else mean pooling without normalisation; <paramref name="pooling"/> and <paramref name="normalize"/> override them.
    /// </summary>
    public static AlbertEmbeddingGenerator Open(string modelDirectory, EmbeddingPooling? pooling = null, bool? normalize = null, string? modelId = null)
    {
        var settings = SentenceTransformersConfig.Load(modelDirectory) ?? new SentenceTransformersConfig();
        if (pooling is { } p) settings = settings with { Pooling = p };
        if (normalize is { } n) settings = settings with { Normalize = n };
        return new AlbertEmbeddingGenerator(TextPipelines.OpenForEmbeddings(modelDirectory), settings, modelId, ownsPipelines: true);
    }

    /// <summary>The pooling, normalisation, truncation and prompt this generator applies.</summary>
    public SentenceTransformersConfig Settings { get; }

    /// <summary>Mean pooling (true) or another mode (<see cref="Settings"/>).</summary>
    public bool MeanPooling { get; }

    /// <summary>Whether vectors are L2-normalised.</summary>
    public bool Normalize { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        if (options?.Dimensions is int d && d != _metadata.DefaultModelDimensions)
            throw new ArgumentException($"this model's embeddings have {_metadata.DefaultModelDimensions} dimensions, {d} were requested", nameof(options));
        var vectors = await Task.Run(() => _pipelines.Embed(texts, Settings with { Normalize = false }, cancellationToken), cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        long tokens = 0;
        for (int i = 0; i < vectors.Length; i++)
        {
            if (Normalize) TaskMath.NormalizeL2(vectors[i]);
            result.Add(new Embedding<float>(vectors[i]) { CreatedAt = created, ModelId = _metadata.DefaultModelId });
        }
        foreach (var t in texts) tokens += _pipelines.Tokenizer.Encode(t, maxLength: _pipelines.Backend.Config.MaxPositionEmbeddings).Length;
        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType == typeof(TextPipelines)) return _pipelines;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsPipelines) _pipelines.Dispose();
    }
}
