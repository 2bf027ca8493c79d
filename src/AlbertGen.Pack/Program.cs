using AlbertGen.Config;
using AlbertGen.Embedded;

// albertgen-pack --model DIR --out FILE [--head H]
// Packs a model folder for embedding (docs/decisions.md D37). Exit 0 on success; 2 with one line on stderr otherwise.
string? model = null, output = null, headName = null;
for (int i = 0; i < args.Length; i++)
{
    string? Value() => i + 1 < args.Length ? args[++i] : null;
    switch (args[i])
    {
        case "--model": model = Value(); break;
        case "--out": output = Value(); break;
        case "--head": headName = Value(); break;
        default:
            Console.Error.WriteLine($"albertgen-pack: unknown argument '{args[i]}' (usage: --model DIR --out FILE [--head H])");
            return 2;
    }
}
if (model is null || output is null)
{
    Console.Error.WriteLine("albertgen-pack: usage: --model DIR --out FILE [--head H]");
    return 2;
}
AlbertHead? head = null;
if (headName is not null)
{
    if (!AlbertHeads.TryParseCliName(headName, out var h))
    {
        Console.Error.WriteLine($"albertgen-pack: unknown head '{headName}'");
        return 2;
    }
    head = h;
}
try
{
    var sw = System.Diagnostics.Stopwatch.StartNew();
    PackedModelImage.Pack(model, output, head);
    Console.WriteLine($"albertgen-pack: {model} → {output} ({new FileInfo(output).Length} bytes, {sw.Elapsed.TotalMilliseconds:F0} ms)");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"albertgen-pack: {model}: {e.Message}");
    return 2;
}
