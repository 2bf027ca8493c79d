using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Model;

namespace AlbertGen.Cli.Commands;

/// <summary><c>albertgen inspect</c>: a model folder's config, its parameter count split as in the ALBERT paper, and its files.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model folder (config.json [+ model.safetensors or pytorch_model.bin])", Required = true };
        var head = new Option<string?>("--head") { Description = "head to count (default: from config.json architectures)" };
        var json = new Option<bool>("--json") { Description = "one JSON object instead of text" };
        var cmd = new Command("inspect", "Show a model's config and parameter counts (embedding factorisation, sharing)") { model, head, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(model)!, r.GetValue(head), r.GetValue(json))));
        return cmd;
    }

    static int Run(string dir, string? headName, bool json)
    {
        var c = AlbertConfig.Load(dir);
        var head = c.DefaultHead;
        if (headName is not null && !AlbertHeads.TryParseCliName(headName, out head))
            throw new ArgumentException($"--head: unknown head '{headName}'");
        var p = AlbertParameterCount.For(c, head);
        // model.safetensors, else pytorch_model.bin (as the loaders pick); none is fine here
        string? weights = new[] { CheckpointFiles.SafeTensorsName, CheckpointFiles.PyTorchBinName }.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists);
        long fileSize = weights is null ? 0 : new FileInfo(weights).Length;
        if (json)
        {
            using var stream = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("head", head.CliName());
                w.WriteNumber("vocab_size", c.VocabSize);
                w.WriteNumber("embedding_size", c.EmbeddingSize);
                w.WriteNumber("hidden_size", c.HiddenSize);
                w.WriteNumber("num_hidden_layers", c.NumHiddenLayers);
                w.WriteNumber("num_hidden_groups", c.NumHiddenGroups);
                w.WriteNumber("inner_group_num", c.InnerGroupNum);
                w.WriteNumber("num_attention_heads", c.NumAttentionHeads);
                w.WriteNumber("intermediate_size", c.IntermediateSize);
                w.WriteString("hidden_act", c.HiddenAct);
                w.WriteNumber("total_parameters", p.Total);
                w.WriteNumber("embedding_parameters", p.Embeddings + p.EmbeddingProjection);
                w.WriteNumber("factorized_vocabulary_parameters", p.FactorizedVocabulary);
                w.WriteNumber("unfactorized_vocabulary_parameters", p.UnfactorizedVocabulary);
                w.WriteNumber("layer_parameters", p.LayerParameters);
                w.WriteNumber("stored_layer_parameters", p.StoredLayers);
                w.WriteNumber("unshared_layer_parameters", p.UnsharedEquivalent);
                w.WriteNumber("head_parameters", p.Head + p.Pooler);
                w.WriteNumber("file_bytes", fileSize);
                w.WriteEndObject();
            }
            stream.Write("\n"u8);
            return 0;
        }
        var inv = CultureInfo.InvariantCulture;
        string N(long x) => x.ToString("N0", inv);
        Console.WriteLine($"model            {Path.GetFullPath(dir)}");
        Console.WriteLine($"head             {head.CliName()} ({head.HfClassName()})");
        Console.WriteLine($"shape            V={c.VocabSize} E={c.EmbeddingSize} H={c.HiddenSize} FFN={c.IntermediateSize} heads={c.NumAttentionHeads} act={c.HiddenAct}");
        Console.WriteLine($"layers           {c.NumHiddenLayers} layers over {c.NumHiddenGroups} group(s) × {c.InnerGroupNum} inner layer(s)");
        Console.WriteLine($"parameters       {N(p.Total)} total");
        Console.WriteLine($"  embeddings     {N(p.Embeddings + p.EmbeddingProjection)}  (vocabulary V×E + E×H = {N(p.FactorizedVocabulary)} vs V×H = {N(p.UnfactorizedVocabulary)} unfactorised, {(double)p.UnfactorizedVocabulary / p.FactorizedVocabulary:F1}× saved)");
        Console.WriteLine($"  layers         {N(p.StoredLayers)} stored, shared by {c.NumHiddenLayers} layers ({N(p.UnsharedEquivalent)} if unshared, {(double)p.UnsharedEquivalent / p.StoredLayers:F1}× saved)");
        Console.WriteLine($"  pooler + head  {N(p.Pooler + p.Head)}");
        Console.WriteLine(weights is not null ? $"file             {Path.GetFileName(weights)} {fileSize / 1048576.0:F1} MiB" : $"file             (no {CheckpointFiles.SafeTensorsName} or {CheckpointFiles.PyTorchBinName})");
        return 0;
    }
}
