using System.CommandLine;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen run</c>: one forward of a model folder on an inputs.json; outputs under HF's names in a safetensors file.
/// By default the padded forward, whose outputs equal HF's at every position (padding included) with the losses;
/// <c>--padding-free</c> packs the right-padded rows and computes only their real tokens (D33): per-token outputs are
/// written packed, [tokens, …], with the sequence starts in the file's metadata.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model folder: config.json + model.safetensors or pytorch_model.bin", Required = true };
        var inputs = new Option<string>("--inputs") { Description = "inputs.json with HF keyword names (input_ids, attention_mask, token_type_ids, labels, ...)", Required = true };
        var output = new Option<string>("--output") { Description = "where to write the outputs (safetensors, float32, HF output names)", Required = true };
        var head = new Option<string?>("--head") { Description = "base | pretraining | masked-lm | sequence-classification | token-classification | question-answering | multiple-choice (default: from config.json architectures, else base)" };
        var threads = new Option<int>("--threads") { Description = "threads (0 = one per processor)", DefaultValueFactory = _ => 0 };
        var paddingFree = new Option<bool>("--padding-free")
        {
            Description = "compute only the real tokens of right-padded rows; per-token outputs written packed [tokens, ...], sequence starts in the metadata; no losses",
        };
        var cmd = new Command("run", "Run the HF-compatible forward (and losses, when labels are given) on the CPU engine") { model, inputs, output, head, threads, paddingFree };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(model)!, r.GetValue(inputs)!, r.GetValue(output)!, r.GetValue(head), r.GetValue(threads),
            r.GetValue(paddingFree))));
        return cmd;
    }

    static int Run(string modelDir, string inputsPath, string outputPath, string? headName, int threads, bool paddingFree)
    {
        AlbertHead? head = null;
        if (headName is not null)
        {
            if (!AlbertHeads.TryParseCliName(headName, out var h))
                throw new ArgumentException($"--head: unknown head '{headName}' (known: {string.Join(", ", AlbertHeads.All.Select(x => x.CliName()))})");
            head = h;
        }
        if (!File.Exists(inputsPath))
            throw new FileNotFoundException($"inputs file not found: {inputsPath}", inputsPath);
        CliErrors.CheckOutputIsNotAnInput("--output", outputPath, CliErrors.ModelFiles(modelDir).Append(inputsPath));
        var batch = AlbertBatch.Load(inputsPath);
        AlbertPackedBatch? packed = null;
        if (paddingFree)
        {
            if (batch.HasLabels)
                throw new AlbertInputException($"{inputsPath}: --padding-free computes no losses; leave out the labels or --padding-free");
            packed = AlbertPackedBatch.FromPadded(batch);
        }
        using var m = CpuAlbertModel.Load(modelDir, head, threads);
        var result = packed is null ? m.Forward(batch) : m.ForwardPacked(packed);
        var tensors = result.Named().Select(kv => new SafeTensorsWriter.Tensor(kv.Key, kv.Value.Shape, kv.Value.Data)).ToList();
        var metadata = new Dictionary<string, string>
        {
            ["computed_by"] = "albertgen",
            ["head"] = m.Head.CliName(),
            ["computed_in"] = "float32",
        };
        if (packed is not null)
            metadata["sequence_starts"] = string.Join(",", packed.SequenceStarts);
        SafeTensorsWriter.Write(outputPath, tensors, metadata);
        Console.WriteLine($"{m.Head.CliName()}: wrote {string.Join(", ", tensors.Select(t => t.Name).Order(StringComparer.Ordinal))} to {outputPath}");
        if (result.Loss is not null)
            Console.WriteLine("loss = " + result.Loss.Data[0].ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }
}
