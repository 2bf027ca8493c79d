using System.CommandLine;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Conversion;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tokenization;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen convert --model DIR --out DIR</c>: an HF model folder with <c>model.safetensors</c> from one with
/// <c>pytorch_model.bin</c> (or <c>model.safetensors</c>): every float tensor under its own name as float32, written
/// atomically; the config and tokenizer files copied. Given a BERT-family model (an HF folder with <c>model_type</c> bert,
/// an ONNX graph exported from PyTorch, or a folder with one), writes the ALBERT folder of the same function
/// (<see cref="BertToAlbert"/>, docs/decisions.md D31).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--from", "--model") { Description = "model: an ALBERT folder (config.json + pytorch_model.bin or model.safetensors), a BERT folder (model_type bert), or a BERT .onnx graph (or a folder with one)", Required = true };
        var outDir = new Option<string>("--out") { Description = "output folder: config.json, model.safetensors (float32) and the tokenizer files", Required = true };
        var cmd = new Command("convert", "Write a model folder's weights as model.safetensors (e.g. from pytorch_model.bin); a BERT model (HF folder or .onnx) as the ALBERT of the same function") { model, outDir };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(model)!, r.GetValue(outDir)!)));
        return cmd;
    }

    static int Run(string dir, string outDir)
    {
        if (BertToAlbert.IsBertSource(dir))
        {
            var r = BertToAlbert.Convert(dir, outDir);
            var c = r.Config;
            Console.WriteLine($"{r.Source}: BERT ({c.NumHiddenLayers} layers, hidden {c.HiddenSize}, {c.NumAttentionHeads} heads, vocab {c.VocabSize}) → "
                + $"{c.Architectures[0]}: wrote {r.TensorCount} tensors ({r.Floats * 4 / 1048576.0:F1} MiB float32) to {Path.Combine(outDir, CheckpointFiles.SafeTensorsName)}"
                + (r.CopiedFiles.Count > 0 ? $"; copied {string.Join(", ", r.CopiedFiles)}" : "")
                + (r.LeftOut.Count > 0 ? $"; left out: {string.Join(", ", r.LeftOut)}" : ""));
            return 0;
        }
        var config = AlbertConfig.Load(dir);
        string weights = CheckpointFiles.Find(dir);
        // the file must fit its config (every tensor the default head needs, right shapes) before anything is written
        using (AlbertCheckpoint.Open(config, weights, config.DefaultHead)) { }
        using var file = CheckpointFiles.Open(weights);
        var tensors = new List<SafeTensorsWriter.Tensor>();
        var left = new List<string>();
        foreach (var e in file.Tensors)
        {
            if (e.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
                left.Add($"{e.Name} ({e.DTypeName})");
            else if (IsTiedAlias(e.Name, config, file))
                left.Add($"{e.Name} (tied)");
            else
                tensors.Add(new SafeTensorsWriter.Tensor(e.Name, e.Shape, file.GetFloat32(e)));
        }
        Directory.CreateDirectory(outDir);
        string target = Path.Combine(outDir, CheckpointFiles.SafeTensorsName);
        SafeTensorsWriter.Write(target, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        bool sameFolder = Path.GetFullPath(dir) == Path.GetFullPath(outDir);
        foreach (var name in (ReadOnlySpan<string>)["config.json", "albert_config.json"])
        {
            string src = Path.Combine(dir, name);
            if (File.Exists(src) && !sameFolder) File.Copy(src, Path.Combine(outDir, name), overwrite: true);
        }
        AlbertTokenizer.CopyFiles(dir, outDir);
        long floats = tensors.Sum(t => (long)t.Data.Length);
        Console.WriteLine($"{Path.GetFileName(weights)}: wrote {tensors.Count} tensors ({floats * 4 / 1048576.0:F1} MiB float32) to {target}"
            + (left.Count > 0 ? $"; left out: {string.Join(", ", left)}" : ""));
        return 0;
    }

    /// <summary>
    /// HF's <c>save_pretrained</c> leaves out the masked-LM decoder's aliases (<c>_tied_weights_keys</c>): its bias is
    /// <c>predictions.bias</c>, and its weight the word embeddings when <c>tie_word_embeddings</c> is set.
    /// </summary>
    static bool IsTiedAlias(string name, AlbertConfig config, ITensorFile file) => name switch
    {
        "predictions.decoder.bias" => file.Contains("predictions.bias"),
        "predictions.decoder.weight" => config.TieWordEmbeddings,
        _ => false,
    };
}
