using AlbertGen.Tasks.Pipelines;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AlbertGen.Tasks.Embeddings;

/// <summary>Registers an ALBERT model as the app's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.</summary>
public static class AlbertEmbeddingServiceCollectionExtensions
{
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
