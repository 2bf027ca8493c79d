namespace AlbertGen.Tasks.Pipelines;

/// <summary>
/// The demonstration models AlbertGen ships (the <c>AlbertGen</c> package and the CLI copy them next to the app as
/// <c>models/&lt;name&gt;/</c>): a 2 M-parameter masked-LM pretrained on public-domain books, a sentiment classifier
/// fine-tuned from it on SST-2, and a sentence-embedding student of all-MiniLM-L6-v2. Their model cards (README.md in
/// each folder) give the numbers, limits and licenses.
/// </summary>
public static class DefaultModels
{
    /// <summary>The masked-LM (<c>albert-default</c>): fill-mask.</summary>
    public const string FillMask = "albert-default";

    /// <summary>
    /// The sentence-embedding model (<c>albert-default-embed</c>): an ALBERT student of sentence-transformers'
    /// all-MiniLM-L6-v2 (Apache-2.0), mean pooling and L2 normalisation as its sentence-transformers files say.
    /// </summary>
    public const string Embedding = "albert-default-embed";

    /// <summary>The SST-2 sentiment classifier (<c>albert-default-sst2</c>).</summary>
    public const string Sentiment = "albert-default-sst2";

    /// <summary>The folder of the default model <paramref name="name"/> next to the running app (<c>AppContext.BaseDirectory/models/name</c>), whether or not it exists.</summary>
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "models", name);

    /// <summary>The folder of the default model <paramref name="name"/> next to the running app; a clear error when it is not there.</summary>
    public static string Directory(string name)
    {
        string dir = PathOf(name);
        if (System.IO.Directory.Exists(dir)) return dir;
        throw new DirectoryNotFoundException(
            $"the default model '{name}' is not installed next to the app ({dir}); open a model folder (config.json, model.safetensors and spiece.model) instead");
    }
}
