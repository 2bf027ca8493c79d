using System.Diagnostics;
using System.Globalization;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Sample.Models;

// AlbertGen sample: a typed ALBERT model generated at build time from models/tiny/config.json.
//
//   dotnet run --project src/AlbertGen.Sample -- tests/fixtures/tiny [tests/fixtures/pipeline-mlm]
//   scripts/publish-aot.sh            (NativeAOT binary; prints size, time to first result and peak RSS)
//
// The argument is a model folder with model.safetensors (HF names); inputs.json and expected.safetensors are used
// when present (the fixture has both), else one short sequence is run.

var sinceMain = Stopwatch.StartNew();
// scripts/publish-aot.sh passes its launch time (Unix ns) so that exec and runtime start-up are counted too
long? launchNs = long.TryParse(Environment.GetEnvironmentVariable("ALBERTGEN_LAUNCH_NS"), out long ns) ? ns : null;
string dir = args.Length > 0 ? args[0] : Path.Combine("tests", "fixtures", "tiny");

Console.WriteLine($"{nameof(TinyAlbert)} from {TinyAlbert.SourceName}: {TinyAlbert.NumHiddenLayers} layers in {TinyAlbert.NumHiddenGroups} group(s), " +
    $"H={TinyAlbert.HiddenSize}, E={TinyAlbert.EmbeddingSize}, V={TinyAlbert.VocabSize}, heads={TinyAlbert.NumAttentionHeads}×{TinyAlbert.HeadSize}, " +
    $"act={TinyAlbert.HiddenAct}, {TinyAlbert.WeightSpecs(TinyAlbert.DefaultHead).Count} tensors");

var load = Stopwatch.StartNew();
using var model = TinyAlbert.Load(dir);
load.Stop();

string inputsPath = Path.Combine(dir, "inputs.json");
var batch = File.Exists(inputsPath) ? AlbertBatch.Load(inputsPath) : new AlbertBatch(1, 6, [2, 5, 4, 71, 78, 3]);
var forward = Stopwatch.StartNew();
var result = model.ForPreTraining(batch);
forward.Stop();
var mainToFirstResult = sinceMain.Elapsed;
double? launchToFirstResultMs = launchNs is long l ? (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 1e4 - l / 1e6 : null;

// masked-LM: the best token at each position of the first row; sentence order for each row
var logits = result.PredictionLogits;
int seq = batch.SequenceLength;
var best = new int[seq];
for (int t = 0; t < seq; t++)
{
    var row = logits.Data.AsSpan(t * TinyAlbert.VocabSize, TinyAlbert.VocabSize);
    int arg = 0;
    for (int v = 1; v < row.Length; v++)
        if (row[v] > row[arg]) arg = v;
    best[t] = arg;
}
Console.WriteLine($"input ids (row 0):  {string.Join(' ', batch.InputIds.AsSpan(0, seq).ToArray())}");
Console.WriteLine($"MLM argmax (row 0): {string.Join(' ', best)}");
for (int r = 0; r < batch.Rows; r++)
{
    float a = result.SopLogits.Data[r * 2], b = result.SopLogits.Data[r * 2 + 1];
    Console.WriteLine($"row {r}: sentence order {(b > a ? "swapped" : "in order")} (logits {a:F4}, {b:F4})");
}
if (result.Loss is { } loss)
    Console.WriteLine($"loss {loss.Data[0]:F6} (mlm {result.MlmLoss!.Data[0]:F6}, sop {result.SopLoss!.Data[0]:F6})");

int exit = 0;
string goldenPath = Path.Combine(dir, "expected.safetensors");
if (File.Exists(goldenPath))
{
    using var golden = SafeTensorsFile.Open(goldenPath);
    double worst = 0;
    foreach (var (name, tensor) in result.Raw.Named())
    {
        if (!golden.Contains(name)) continue;
        worst = Math.Max(worst, TensorCompare.RelativeError(tensor.Data, golden.ReadFloat32Array(name)));
    }
    bool ok = worst <= 1e-5;
    Console.WriteLine($"golden check vs {Path.GetFileName(goldenPath)}: worst relative error {worst.ToString("E2", CultureInfo.InvariantCulture)} ({(ok ? "ok" : "FAILED")})");
    exit = ok ? 0 : 1;
}

// Text in, answers out: a generated model is an IAlbertBackend, so the task pipelines run on it directly.
// Second argument: a folder with a TextAlbert-shaped model.safetensors and its spiece.model (tests/fixtures/pipeline-mlm).
if (args.Length > 1)
{
    using var textModel = TextAlbert.Load(args[1]);
    var pipelines = new AlbertGen.Tokenization.Pipelines.TextPipelines(textModel,
        AlbertGen.Tokenization.AlbertTokenizer.FromSentencePiece(Path.Combine(args[1], "spiece.model")));
    foreach (var c in pipelines.FillMask(["the [MASK] was bright."], topK: 3)[0][0])
        Console.WriteLine($"fill-mask: {c.Token,-12} {c.Score.ToString("P1", CultureInfo.InvariantCulture),7}  {c.Sequence}");
}

Console.WriteLine($"load {load.Elapsed.TotalMilliseconds:F1} ms, first forward {forward.Elapsed.TotalMilliseconds:F1} ms, " +
    $"main → first result {mainToFirstResult.TotalMilliseconds:F1} ms" +
    (launchToFirstResultMs is double ms ? $", launch → first result {ms:F1} ms" : ""));
return exit;
