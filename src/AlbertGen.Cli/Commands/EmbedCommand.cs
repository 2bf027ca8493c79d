using System.CommandLine;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary><c>albertgen embed &lt; lines.txt [--pooling mean|cls] [--npy FILE]</c>: one sentence vector per line.</summary>
internal static class EmbedCommand
{
    public const string DefaultModel = DefaultModels.Embedding;

    public static Command Create()
    {
        var texts = new Argument<string[]>("text") { Description = "texts (none: one per stdin line)", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model") { Description = $"model folder (default: the embedded {DefaultModel})" };
        var pooling = new Option<string?>("--pooling") { Description = "mean (attended tokens), cls (the [CLS] hidden state) or max; default: a sentence-transformers folder's 1_Pooling, else mean" };
        pooling.AcceptOnlyFromAmong("mean", "cls", "max");
        var normalize = new Option<bool?>("--normalize") { Description = "L2-normalise the vectors (true/false); default: whether a sentence-transformers folder has a Normalize module" };
        var npy = new Option<string?>("--npy") { Description = "write a float32 (lines × hidden) .npy file instead of JSON lines" };
        var cmd = new Command("embed", "Sentence embeddings from the encoder's last hidden states") { texts, model, pooling, normalize, npy };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(texts), r.GetValue(model), r.GetValue(pooling), r.GetValue(normalize), r.GetValue(npy))));
        return cmd;
    }

    static int Run(string[]? texts, string? model, string? pooling, bool? normalize, string? npyPath)
    {
        string dir = TaskInputs.ModelDirectory(model, DefaultModel);
        // a sentence-transformers folder's modules are the defaults; explicit options override (docs/decisions.md D32)
        var settings = SentenceTransformersConfig.Load(dir) ?? new SentenceTransformersConfig();
        if (pooling is not null)
            settings = settings with { Pooling = pooling switch { "cls" => EmbeddingPooling.Cls, "max" => EmbeddingPooling.Max, _ => EmbeddingPooling.Mean } };
        if (normalize is { } n)
            settings = settings with { Normalize = n };
        if (npyPath is not null)
            CliErrors.CheckOutputIsNotAnInput("--npy", npyPath, CliErrors.ModelFiles(dir));
        using var pipelines = TextPipelines.OpenForEmbeddings(dir);
        var vectors = new List<float[]>();
        using var stdout = Console.OpenStandardOutput();
        TaskInputs.InBatches(TaskInputs.Texts(texts), batch =>
        {
            foreach (var (v, text) in pipelines.Embed(batch, settings).Zip(batch))
            {
                if (npyPath is not null)
                {
                    vectors.Add(v);
                    continue;
                }
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("text", text);
                    w.WriteStartArray("embedding");
                    foreach (var x in v) w.WriteNumberValue(x);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                stdout.Write("\n"u8);
            }
        });
        if (npyPath is not null)
            NpyWriter.Write(npyPath, vectors, pipelines.Backend.Config.HiddenSize);
        return 0;
    }
}
