using System.Diagnostics;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.EdgeSample;
using AlbertGen.Tasks.Pipelines;
using AlbertGen.Tokenization;

// Single-file edge sample (D37): EdgeAlbert's weights and tokenizer are embedded in this executable.
//
//   AlbertGen.EdgeSample [TEXT]              fill-mask (masked-LM model) or a sentence vector (base model) on the
//                                            embedded weights; prints the result and launch/main → first result
//   AlbertGen.EdgeSample folder=DIR [TEXT]   the same from a model folder (the comparison the embedded build replaces)
//   AlbertGen.EdgeSample warm=N [TEXT]       then N more forwards of the same input: median warm time
//
// scripts/aot-smoke.sh runs it alone in an empty folder and checks the fill-mask result against the HF reference.
var sinceMain = Stopwatch.StartNew();
long? launchNs = long.TryParse(Environment.GetEnvironmentVariable("ALBERTGEN_LAUNCH_NS"), out long ns) ? ns : null;
string? folder = null;
int warm = 0;
bool fillMask = IsMaskedLM(EdgeAlbert.DefaultHead); // masked-LM or pretraining head: fill-mask; else a sentence vector
string text = fillMask ? "The [MASK] was bright." : "The sea was calm.";
foreach (var a in args)
{
    if (a.StartsWith("folder=", StringComparison.Ordinal)) folder = a["folder=".Length..];
    else if (a.StartsWith("warm=", StringComparison.Ordinal)) warm = int.Parse(a["warm=".Length..], CultureInfo.InvariantCulture);
    else text = a;
}

if (args is ["resource"])
{
#if EDGE_EMBEDDED
    using var stream = typeof(EdgeAlbert).Assembly.GetManifestResourceStream(EdgeAlbert.EmbeddedResourceName);
    unsafe
    {
        Console.WriteLine(stream is UnmanagedMemoryStream u
            ? $"resource: {u.Length} bytes of unmanaged memory at address mod 64 = {(long)u.PositionPointer % 64}"
            : $"resource: {stream?.GetType().Name ?? "missing"}");
    }
#endif
    return 0;
}
EdgeAlbert model;
double weightsMs;
AlbertTokenizer tokenizer;
string source;
if (folder is not null)
{
    model = EdgeAlbert.Load(folder);
    weightsMs = sinceMain.Elapsed.TotalMilliseconds;
    tokenizer = AlbertTokenizer.FromModelDirectory(folder);
    source = "folder " + folder;
}
else
{
#if EDGE_EMBEDDED
    model = EdgeAlbert.Load();
    weightsMs = sinceMain.Elapsed.TotalMilliseconds;
    tokenizer = AlbertTokenizer.FromModelFiles(model.Files, EdgeAlbert.EmbeddedResourceName);
    source = "embedded" + (model.WeightsInPlace ? ", in place" : ", copied");
#else
    Console.Error.WriteLine("built without embedded weights (EdgeEmbed=false): pass folder=DIR");
    return 2;
#endif
}
double loadMs = sinceMain.Elapsed.TotalMilliseconds;
using var _ = model;
var pipeline = new TextPipelines(model, tokenizer);
var inv = CultureInfo.InvariantCulture;
var lines = new List<string>();
Action run = fillMask
    ? () =>
    {
        lines.Clear();
        foreach (var c in pipeline.FillMask([text], topK: 5)[0][0])
            lines.Add(string.Format(inv, "{0} {1:F6} {2}", c.TokenId, c.Score, c.Token));
    }
    : () =>
    {
        lines.Clear();
        float[] v = pipeline.Embed([text])[0];
        lines.Add(string.Format(inv, "embedding {0} {1:F6} {2:F6}", v.Length, v[0], v[^1]));
    };
run();
double mainMs = sinceMain.Elapsed.TotalMilliseconds;
double? launchMs = launchNs is long l ? (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 1e4 - l / 1e6 : null;
Console.WriteLine($"{nameof(EdgeAlbert)} ({EdgeAlbert.DefaultHead}, {EdgeAlbert.NumHiddenLayers} layers, H={EdgeAlbert.HiddenSize}, V={EdgeAlbert.VocabSize}) from {source}: {text}");
foreach (var line in lines)
    Console.WriteLine(line);
Console.WriteLine(string.Format(inv, "main → first result {0:F2} ms (weights loaded at {1:F2} ms, tokenizer at {2:F2} ms)", mainMs, weightsMs, loadMs) +
    (launchMs is double ms ? string.Format(inv, ", launch → first result {0:F2} ms", ms) : ""));
if (warm > 0)
{
    var times = new double[warm];
    for (int i = 0; i < warm; i++)
    {
        var sw = Stopwatch.StartNew();
        run();
        times[i] = sw.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    Console.WriteLine(string.Format(inv, "warm forward (tokenize + forward + post-process) median {0:F3} ms over {1}", times[warm / 2], warm));
}
return 0;

static bool IsMaskedLM(AlbertHead head) => head is AlbertHead.MaskedLM or AlbertHead.PreTraining;
