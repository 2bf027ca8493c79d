using System.Globalization;
using System.Text;
using System.Text.Json;
using AlbertGen.IO;

namespace AlbertGen.Torch.Training;

/// <summary>
/// What the training loops share for <c>checkpoint-N/</c> folders (HF model folder + optimizer.safetensors +
/// trainer_state.json, the last written last), resuming, metrics.jsonl and the step line's progress bar.
/// </summary>
public static class TrainingCheckpoints
{
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "trainer_state.json";

    /// <summary>The newest <c>checkpoint-N</c> folder under <paramref name="outDir"/> with a complete state, or null.</summary>
    public static string? Latest(string outDir)
    {
        if (!Directory.Exists(outDir)) return null;
        return Directory.GetDirectories(outDir, "checkpoint-*")
            .Select(d => (Dir: d, Ok: long.TryParse(Path.GetFileName(d)["checkpoint-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long n), N: n))
            .Where(x => x.Ok && File.Exists(Path.Combine(x.Dir, StateFile)) && File.Exists(Path.Combine(x.Dir, "model.safetensors")))
            .OrderByDescending(x => x.N)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    /// <summary>Writes <c>checkpoint-N/</c>: the model folder, the optimiser state, then trainer_state.json (a checkpoint without it is ignored).</summary>
    public static void Save(string dir, TorchAlbertBackend backend, AlbertOptimizer optimizer, long step, TextWriter? log)
    {
        // temporary files a kill left in earlier checkpoints (or the output folder) go first
        string outDir = Path.GetDirectoryName(Path.GetFullPath(dir))!;
        AtomicFile.DeleteOrphans(outDir);
        foreach (var d in Directory.GetDirectories(outDir, "checkpoint-*"))
            AtomicFile.DeleteOrphans(d);
        backend.SavePretrained(dir);
        optimizer.SaveState(Path.Combine(dir, OptimizerFile));
        AtomicFile.WriteAllText(Path.Combine(dir, StateFile),
            JsonSerializer.Serialize(new Dictionary<string, long> { ["global_step"] = step }, TrainerJson.Default.DictionaryStringInt64) + "\n");
        log?.WriteLine($"checkpoint: {dir}");
    }

    /// <summary>The global step a checkpoint was written at.</summary>
    public static long ReadStep(string dir)
    {
        var state = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(dir, StateFile)), TrainerJson.Default.DictionaryStringInt64)
            ?? throw new InvalidDataException($"{dir}: empty {StateFile}");
        return state.TryGetValue("global_step", out long s) ? s : throw new InvalidDataException($"{dir}: {StateFile} has no global_step");
    }

    /// <summary>Keeps the complete lines of metrics.jsonl with step ≤ <paramref name="lastStep"/> (rewritten atomically).</summary>
    public static void TruncateMetrics(string path, long lastStep)
    {
        if (!File.Exists(path)) return;
        var kept = new StringBuilder();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("step", out var s)
                    && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out long step) && step <= lastStep)
                    kept.Append(line).Append('\n');
            }
            catch (JsonException)
            {
                // a line torn by a kill during the write
            }
        }
        AtomicFile.WriteAllText(path, kept.ToString());
    }

    /// <summary>A 20-character progress bar for the step line.</summary>
    public static string Bar(long step, long total)
    {
        int filled = total <= 0 ? 20 : (int)Math.Min(20, step * 20 / total);
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }

    /// <summary>
    /// One metrics.jsonl line: <c>step</c>, then each value in order; a non-finite value is written as a string
    /// ("NaN", "Infinity") so the line stays JSON.
    /// </summary>
    internal static string MetricsLine(long step, params ReadOnlySpan<(string Name, double Value)> values)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("step", step);
            foreach (var (name, v) in values) WriteNumber(w, name, v);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>A number, or a non-finite one as a string ("NaN", "Infinity"), which JSON has no number for.</summary>
    internal static void WriteNumber(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteString(name, v.ToString(CultureInfo.InvariantCulture));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class TrainerJson : System.Text.Json.Serialization.JsonSerializerContext;
