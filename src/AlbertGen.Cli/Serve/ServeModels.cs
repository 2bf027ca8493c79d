using AlbertGen.Cli.Commands;
using AlbertGen.Config;
using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// The pipelines the routes use, loaded once at start: the encoder for embeddings and tokenization, the masked-LM for
/// fill-mask (the same folder with --model; without it the embedding and the masked-LM defaults), the classifier. A model that is not there leaves its routes answering 501 with the reason:
/// an embedded default that is not installed, or a --model folder without a masked-LM head.
/// </summary>
internal sealed class ServeModels : IDisposable
{
    public TextPipelines? Embeddings { get; private init; }

    /// <summary>The embedding model folder's sentence-transformers settings (pooling, normalize, max_seq_length, prompt), or mean pooling (docs/decisions.md D32).</summary>
    public SentenceTransformersConfig EmbeddingSettings { get; private init; } = new();
    public TextPipelines? FillMask { get; private init; }
    public TextPipelines? Classifier { get; private init; }
    public string EmbeddingsId { get; private init; } = "";
    public string ClassifierId { get; private init; } = "";
    public string? EmbeddingsMissing { get; private init; }
    public string? FillMaskMissing { get; private init; }
    public string? ClassifierMissing { get; private init; }

    /// <summary>Opens the models; a folder given on the command line that does not load is an error (exit 2), a missing default is not.</summary>
    public static ServeModels Load(ServeOptions options)
    {
        var owners = new List<TextPipelines>();
        TextPipelines? embeddings = null, fillMask = null, classifier = null;
        string? embeddingsMissing = null, fillMaskMissing = null, classifierMissing = null;
        var embeddingSettings = new SentenceTransformersConfig();
        // --model serves every text route; without it, embeddings and tokenize use the embedding default and
        // fill-mask the masked-LM default
        string? modelDir = Resolve(options.Model, EmbedCommand.DefaultModel, ref embeddingsMissing);
        if (modelDir is not null)
        {
            embeddingSettings = SentenceTransformersConfig.Load(modelDir) ?? embeddingSettings;
            embeddings = Budgeted(TextPipelines.OpenForEmbeddings(modelDir), options, owners);
        }
        string? fillMaskDir = options.Model is null ? Resolve(null, FillMaskCommand.DefaultModel, ref fillMaskMissing) : modelDir;
        if (fillMaskDir is not null)
        {
            try
            {
                fillMask = Budgeted(TextPipelines.OpenForFillMask(fillMaskDir), options, owners);
            }
            catch (Exception e) when (e is Model.AlbertWeightException or ArgumentException or InvalidOperationException)
            {
                fillMaskMissing = $"the model has no masked-LM head ({e.Message})";
            }
        }
        else
        {
            fillMaskMissing ??= embeddingsMissing;
        }
        string? classifierDir = Resolve(options.Classifier, ClassifyCommand.DefaultModel, ref classifierMissing);
        if (classifierDir is not null)
            classifier = Budgeted(TextPipelines.Open(classifierDir, AlbertHead.SequenceClassification), options, owners);
        return new ServeModels
        {
            _owners = owners,
            Embeddings = embeddings,
            EmbeddingSettings = embeddingSettings,
            FillMask = fillMask,
            Classifier = classifier,
            EmbeddingsId = modelDir is null ? "" : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir))),
            ClassifierId = classifierDir is null ? "" : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(classifierDir))),
            EmbeddingsMissing = embeddingsMissing,
            FillMaskMissing = fillMaskMissing,
            ClassifierMissing = classifierMissing,
        };
    }

    static string? Resolve(string? given, string defaultName, ref string? missing)
    {
        if (given is not null) return given;
        string dir = DefaultModels.PathOf(defaultName);
        if (Directory.Exists(dir)) return dir;
        missing = $"no model for this route: the default '{defaultName}' is not installed next to albertgen ({dir}) and none was given";
        return null;
    }

    // the pipelines' own padded-batch budget follows --max-batch-tokens; the opened pipelines own the engine
    static TextPipelines Budgeted(TextPipelines opened, ServeOptions options, List<TextPipelines> owners)
    {
        owners.Add(opened);
        return new TextPipelines(opened.Backend, opened.Tokenizer) { MaxBatchTokens = options.MaxBatchTokens };
    }

    List<TextPipelines> _owners = [];

    public void Dispose()
    {
        foreach (var p in _owners) p.Dispose();
    }
}
