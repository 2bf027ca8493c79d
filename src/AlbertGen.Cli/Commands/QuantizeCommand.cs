using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.IO;
using AlbertGen.Model;
using AlbertGen.Quantization;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen quantize --model DIR --out DIR [--calibration FILE] [--force]</c>: the int8 form of a float model folder
/// (docs/quantization.md, D35), written only if it passes the accuracy gate: the float and the int8 model run on
/// calibration text (default: a built-in sample of 48 sentences) and the mean cosine of last_hidden_state over attended
/// tokens must reach --min-cosine and, for label-predicting heads, the share of agreeing predictions --min-agreement.
/// Below either, nothing is written and the exit code is 1, unless --force. Files are written atomically.
/// </summary>
internal static class QuantizeCommand
{
    /// <summary>Exit code when the gate refuses the int8 model.</summary>
    public const int Refused = 1;

    const int BatchRows = 8;
    const int MaxCalibrationLength = 128;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "float model folder: config.json + model.safetensors or pytorch_model.bin (+ tokenizer)", Required = true };
        var outDir = new Option<string>("--out") { Description = "output folder: config.json (with quantization_config), model.safetensors (int8), the tokenizer and sentence-transformers files", Required = true };
        var calibration = new Option<string?>("--calibration") { Description = "text file, one calibration text per line (default: a built-in sample)" };
        var head = new Option<string?>("--head") { Description = "head to check (default: architectures in config.json)" };
        var minCosine = new Option<double>("--min-cosine") { Description = "least mean last_hidden_state cosine", DefaultValueFactory = _ => QuantizationGate.DefaultMinCosine };
        var minAgreement = new Option<double>("--min-agreement") { Description = "least share of agreeing label predictions", DefaultValueFactory = _ => QuantizationGate.DefaultMinAgreement };
        var weightBits = new Option<int>("--weight-bits")
        {
            Description = "7: weights in [-64, 64], which AVX2 CPUs without VNNI multiply faster (D41); 8: [-127, 127]",
            DefaultValueFactory = _ => Int8Quantizer.DefaultWeightBits,
        };
        var force = new Option<bool>("--force") { Description = "write the int8 model even below the thresholds" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object" };
        var cmd = new Command("quantize", "Write an int8 model folder (shared layer, pooler, classifier), checked against the float model")
        {
            model, outDir, calibration, head, minCosine, minAgreement, weightBits, force, json,
        };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(model)!, r.GetValue(outDir)!, r.GetValue(calibration), r.GetValue(head),
            r.GetValue(minCosine), r.GetValue(minAgreement), r.GetValue(weightBits), r.GetValue(force), r.GetValue(json))));
        return cmd;
    }

    static int Run(string dir, string outDir, string? calibrationFile, string? headName, double minCosine, double minAgreement, int weightBits, bool force, bool json)
    {
        if (weightBits is not (7 or 8)) throw new ArgumentException($"--weight-bits must be 7 or 8 (found {weightBits})");
        if (!(minCosine is >= -1 and <= 1)) throw new ArgumentException($"--min-cosine must lie in [-1, 1] (found {minCosine})");
        if (!(minAgreement is >= 0 and <= 1)) throw new ArgumentException($"--min-agreement must lie in [0, 1] (found {minAgreement})");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"model folder not found: {dir}");
        var config = AlbertConfig.Load(dir);
        if (config.QuantizationMethod is not null)
            throw new ArgumentException($"{dir} is already quantized (quantization_config.quant_method = {config.QuantizationMethod}); quantize its float model");
        AlbertHead head = headName is null ? config.DefaultHead
            : AlbertHeads.TryParseCliName(headName, out var h) ? h : throw new ArgumentException($"unknown --head '{headName}'");
        string target = Path.Combine(outDir, CheckpointFiles.SafeTensorsName);
        string targetConfig = Path.Combine(outDir, "config.json");
        var inputs = CliErrors.ModelFiles(dir).ToList();
        CliErrors.CheckOutputIsNotAnInput("--out", target, inputs);
        CliErrors.CheckOutputIsNotAnInput("--out", targetConfig, inputs);
        var batches = CalibrationBatches(dir, config, head, calibrationFile);

        Directory.CreateDirectory(outDir);
        AtomicFile.DeleteOrphans(outDir);
        string candidate = AtomicFile.TempPathFor(Path.GetFullPath(target));
        try
        {
            QuantizationReport report;
            int quantized;
            var checkpoint = AlbertCheckpoint.Open(config, CheckpointFiles.Find(dir), head);
            CpuAlbertModel reference;
            try
            {
                quantized = Int8Quantizer.Write(checkpoint, candidate, weightBits);
                reference = CpuAlbertModel.Load(checkpoint);
            }
            catch
            {
                checkpoint.Dispose();
                throw;
            }
            using (reference)
            using (var int8 = CpuAlbertModel.Load(config, candidate, head))
                report = QuantizationGate.Compare(reference, int8, batches);
            bool pass = report.Passes(minCosine, minAgreement);
            bool write = pass || force;
            if (write)
            {
                File.Move(candidate, target, overwrite: true);
                AtomicFile.WriteAllText(targetConfig, QuantizedConfigJson(dir, config, weightBits));
                AlbertTokenizer.CopyFiles(dir, outDir);
                SentenceTransformersFiles.Copy(dir, outDir); // the publisher's pooling and normalisation stay the folder's
            }
            Print(report, quantized, weightBits, batches.Sum(b => b.Rows), minCosine, minAgreement, pass, write, target, json);
            if (!write)
            {
                var inv = CultureInfo.InvariantCulture;
                string agreement = report.LabelAgreement is { } ag ? string.Create(inv, $"; label agreement {ag:F4}, need ≥ {minAgreement}") : "";
                Console.Error.WriteLine(CliErrors.OneLine(string.Create(inv, $"refused: the int8 model is below the gate (mean cosine {report.MeanCosine:F5}, need ≥ {minCosine}")
                    + agreement + "); nothing written (--force writes it anyway)"));
                return Refused;
            }
            return 0;
        }
        finally
        {
            if (File.Exists(candidate)) File.Delete(candidate);
        }
    }

    static void Print(QuantizationReport r, int quantized, int weightBits, int texts, double minCosine, double minAgreement, bool pass, bool written, string target, bool json)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"int8 tensors: {quantized} ({weightBits}-bit weights); calibration: {texts} sequences, {r.Tokens} tokens"));
        Console.WriteLine(string.Create(inv, $"last_hidden_state cosine vs float: mean {r.MeanCosine:F6}, min {r.MinCosine:F6} (gate ≥ {minCosine})"));
        if (r.LabelAgreement is { } a)
            Console.WriteLine(string.Create(inv, $"{r.LabelKind} agreement: {a:F4} of {r.Labels} (gate ≥ {minAgreement})"));
        Console.WriteLine(pass ? $"gate: passed; wrote {target}" : written ? $"gate: FAILED; written anyway (--force): {target}" : "gate: FAILED");
        if (!json) return;
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteNumber("int8_tensors", quantized);
            w.WriteNumber("weight_bits", weightBits);
            w.WriteNumber("sequences", texts);
            w.WriteNumber("tokens", r.Tokens);
            w.WriteNumber("mean_cosine", r.MeanCosine);
            w.WriteNumber("min_cosine", r.MinCosine);
            if (r.LabelAgreement is { } ag)
            {
                w.WriteNumber("label_agreement", ag);
                w.WriteNumber("labels", r.Labels);
            }
            w.WriteBoolean("passed", pass);
            w.WriteBoolean("written", written);
            w.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }

    /// <summary>
    /// Calibration batches: the texts (the file's non-empty lines, else the built-in sample) through the folder's tokenizer,
    /// 8 per batch, at most 128 tokens. A folder without a tokenizer (e.g. a benchmark model) gets fixed pseudo-random ids
    /// (16 sequences of 64 tokens, seed 1) unless a calibration file was given.
    /// </summary>
    static List<AlbertBatch> CalibrationBatches(string dir, AlbertConfig config, AlbertHead head, string? file)
    {
        int choices = head == AlbertHead.MultipleChoice ? 2 : 0;
        bool hasTokenizer = AlbertTokenizer.FileNames.Take(3).Any(f => File.Exists(Path.Combine(dir, f)));
        var batches = new List<AlbertBatch>();
        if (!hasTokenizer)
        {
            if (file is not null)
                throw new ArgumentException($"--calibration needs a tokenizer in {dir} (spiece.model, tokenizer.json or vocab.txt)");
            var rng = new Random(1);
            int seq = Math.Min(64, config.MaxPositionEmbeddings), rows = choices > 0 ? 4 : 8;
            for (int b = 0; b < 2; b++)
            {
                var ids = new int[rows * seq];
                for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(config.VocabSize);
                batches.Add(new AlbertBatch(rows, seq, ids, numChoices: choices));
            }
            return batches;
        }
        var texts = file is not null ? File.ReadAllLines(file).Where(l => l.Trim().Length > 0).ToList() : BuiltInCalibration();
        if (texts.Count == 0) throw new ArgumentException($"{file}: no calibration text (every line is empty)");
        var tokenizer = AlbertTokenizer.FromModelDirectory(dir);
        if (tokenizer.VocabSize != config.VocabSize)
            throw new InvalidDataException($"{dir}: the tokenizer has {tokenizer.VocabSize} pieces but config.json says vocab_size {config.VocabSize}");
        int maxLength = Math.Min(MaxCalibrationLength, config.MaxPositionEmbeddings);
        if (choices > 0 && texts.Count % 2 == 1) texts.RemoveAt(texts.Count - 1);
        if (texts.Count == 0) throw new ArgumentException("multiple choice needs at least two calibration texts");
        for (int i = 0; i < texts.Count; i += BatchRows)
        {
            var chunk = texts.Skip(i).Take(BatchRows).Select(t => tokenizer.Encode(t, maxLength: maxLength)).ToList();
            batches.Add(EncodedBatch.From(chunk, tokenizer.PadTokenId, choices));
        }
        return batches;
    }

    static List<string> BuiltInCalibration()
    {
        using var stream = typeof(QuantizeCommand).Assembly.GetManifestResourceStream("AlbertGen.Cli.calibration.txt")
            ?? throw new InvalidOperationException("the built-in calibration text is missing from this build");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Trim().Length > 0) lines.Add(line);
        return lines;
    }

    /// <summary>The source config.json with every key kept and <c>quantization_config</c> added (a Google-format config becomes HF's).</summary>
    static string QuantizedConfigJson(string dir, AlbertConfig config, int weightBits)
    {
        string path = Path.Combine(dir, "config.json");
        string source = File.Exists(path) ? File.ReadAllText(path) : config.ToJson();
        using var doc = JsonDocument.Parse(source, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.NameEquals("quantization_config")) continue;
                p.WriteTo(w);
            }
            w.WriteStartObject("quantization_config");
            w.WriteString("quant_method", Int8Weights.Method);
            w.WriteNumber("bits", 8);
            w.WriteNumber("weight_bits", weightBits);
            int weightMax = Int8Quantizer.WeightMax(weightBits);
            w.WriteString("weights", $"int8 in [-{weightMax}, {weightMax}], symmetric, one F32 scale per output row (NAME_scale)");
            w.WriteString("activations", "dynamic, asymmetric 7-bit, per token (at run time)");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }
}
