namespace AlbertGen.Tasks.Pipelines;

/// <summary>
/// The demonstration models AlbertGen ships (the <c>AlbertGen</c> package and the CLI copy them next to the app as
/// <c>models/&lt;name&gt;/</c>): a 2 M-parameter masked-LM pretrained on public-domain books and a sentiment classifier
/// fine-tuned from it on SST-2. Their model cards (README.md in each folder) give the numbers and limits.
/// </summary>
public static class DefaultModels
{
    /// <summary>The masked-LM (<c>albert-default</c>): fill-mask, embeddings.</summary>
    public const string FillMask = "albert-default";

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
