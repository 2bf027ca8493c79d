using System.Diagnostics;
using System.Globalization;
using AlbertGen.Sample;
using AlbertGen.Sample.Models;
using AlbertGen.Tokenization;
using AlbertGen.Tasks.Pipelines;

// AlbertGen sample: ALBERT models typed at build time from config.json files (AdditionalFiles in the .csproj).
//
//   AlbertGen.Sample [MODELS_DIR]       fill-mask and sentiment with the embedded default models: DefaultAlbert and
//                                       DefaultSentimentAlbert are generated from src/AlbertGen.Cli/models/*/config.json,
//                                       whose folders are copied next to the binary (models/)
//   AlbertGen.Sample --golden DIR       TinyAlbert on a golden fixture (tests/fixtures/tiny) against the HF reference
//   scripts/publish-aot.sh [ARGS]       NativeAOT binary: size, launch → first result, peak RSS

var sinceMain = Stopwatch.StartNew();
// scripts/publish-aot.sh passes its launch time (Unix ns) so that exec and runtime start-up are counted too
long? launchNs = long.TryParse(Environment.GetEnvironmentVariable("ALBERTGEN_LAUNCH_NS"), out long ns) ? ns : null;
if (args is ["--golden", var fixture])
    return GoldenCheck.Run(fixture);

string models = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "models");
var inv = CultureInfo.InvariantCulture;

// fill-mask: the generated class is an IAlbertBackend, so the task pipelines run on it directly
string mlmDir = Path.Combine(models, "albert-default");
using (var mlm = DefaultAlbert.Load(mlmDir))
{
    var fillMask = new TextPipelines(mlm, AlbertTokenizer.FromModelDirectory(mlmDir));
    const string text = "The [MASK] was bright.";
    var candidates = fillMask.FillMask([text], topK: 5)[0][0];
    double mainToFirstResult = sinceMain.Elapsed.TotalMilliseconds;
    double? launchToFirstResult = launchNs is long l ? (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 1e4 - l / 1e6 : null;
    Console.WriteLine($"{nameof(DefaultAlbert)} ({DefaultAlbert.NumHiddenLayers} layers sharing {DefaultAlbert.NumHiddenGroups} group, " +
        $"H={DefaultAlbert.HiddenSize}, E={DefaultAlbert.EmbeddingSize}, V={DefaultAlbert.VocabSize}): {text}");
    foreach (var c in candidates)
        Console.WriteLine(string.Format(inv, "  {0,7:P1}  {1,-12} {2}", c.Score, c.Token, c.Sequence));
    Console.WriteLine(string.Format(inv, "main → first result {0:F1} ms", mainToFirstResult) +
        (launchToFirstResult is double ms ? string.Format(inv, ", launch → first result {0:F1} ms", ms) : ""));
}

// sentiment: labels come from the config's id2label, as constants of the generated class
string sst2Dir = Path.Combine(models, "albert-default-sst2");
using (var sentiment = DefaultSentimentAlbert.Load(sst2Dir))
{
    var classify = new TextPipelines(sentiment, AlbertTokenizer.FromModelDirectory(sst2Dir));
    string[] reviews = ["a gripping, funny film", "a dull and lifeless mess"];
    var scores = classify.Classify(reviews);
    Console.WriteLine($"{nameof(DefaultSentimentAlbert)} (labels {string.Join(", ", DefaultSentimentAlbert.Id2Label)}):");
    for (int i = 0; i < reviews.Length; i++)
        Console.WriteLine(string.Format(inv, "  {0,-9} {1,6:P1}  {2}", scores[i][0].Label, scores[i][0].Score, reviews[i]));
}
return 0;
