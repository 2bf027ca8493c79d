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
    /// </summary>
    public static IServiceCollection AddAlbertEmbeddingGenerator(this IServiceCollection services, string modelDirectory,
        bool meanPooling = true, bool normalize = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        return services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ =>
            new AlbertEmbeddingGenerator(TextPipelines.OpenForEmbeddings(modelDirectory), meanPooling, normalize, ownsPipelines: true));
    }
}
