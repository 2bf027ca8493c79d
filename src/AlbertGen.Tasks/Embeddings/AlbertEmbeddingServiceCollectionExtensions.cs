using AlbertGen.Tasks.Pipelines;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AlbertGen.Tasks.Embeddings;

/// <summary>Registers an ALBERT model as the app's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.</summary>
public static class AlbertEmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> over the default embedding model
    /// (<see cref="DefaultModels.Embedding"/>, installed next to the app by the <c>AlbertGen</c> package): 384-dimensional,
    /// mean-pooled, L2-normalised sentence vectors. A clear error on first use when the model is not installed.
    /// </summary>
    public static IServiceCollection AddAlbertEmbeddingGenerator(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ =>
            AlbertEmbeddingGenerator.Open(DefaultModels.Directory(DefaultModels.Embedding), modelId: DefaultModels.Embedding));
    }

    /// <summary>
    /// Adds a singleton <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> over the HF ALBERT folder
    /// <paramref name="modelDirectory"/> on the CPU engine (opened on first use, disposed with the service provider).
    /// Defaults: the folder's sentence-transformers modules when it has them (<see cref="AlbertEmbeddingGenerator.Open"/>),
    /// else mean pooling without normalisation; <paramref name="meanPooling"/> (false: [CLS]) and <paramref name="normalize"/> override.
    /// </summary>
    public static IServiceCollection AddAlbertEmbeddingGenerator(this IServiceCollection services, string modelDirectory,
        bool? meanPooling = null, bool? normalize = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        return services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ =>
            AlbertEmbeddingGenerator.Open(modelDirectory, meanPooling is { } m ? (m ? EmbeddingPooling.Mean : EmbeddingPooling.Cls) : null, normalize));
    }
}
