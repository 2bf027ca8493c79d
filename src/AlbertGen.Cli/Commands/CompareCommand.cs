using System.CommandLine;
using System.Globalization;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen compare CANDIDATE EXPECTED [--threshold T]</c>: relative error ‖a − b‖ / ‖b‖ per tensor of two
/// safetensors files (as ../shared/tools/compare.py); exit 1 when a tensor is missing, differs in shape or exceeds T.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var candidate = new Argument<string>("candidate") { Description = "safetensors file to check" };
        var expected = new Argument<string>("expected") { Description = "reference safetensors file" };
        var threshold = new Option<double>("--threshold") { Description = "largest accepted relative error", DefaultValueFactory = _ => 1e-5 };
        var cmd = new Command("compare", "Relative error per tensor between two safetensors files") { candidate, expected, threshold };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(candidate)!, r.GetValue(expected)!, r.GetValue(threshold))));
        return cmd;
    }

    static int Run(string candidatePath, string expectedPath, double threshold)
    {
        using var cand = SafeTensorsFile.Open(candidatePath);
        using var exp = SafeTensorsFile.Open(expectedPath);
        var inv = CultureInfo.InvariantCulture;
        int passed = 0, failed = 0;
        Console.WriteLine($"{"tensor",-28} {"rel",10}  status");
        foreach (var e in exp.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (e.Name.StartsWith("grad.", StringComparison.Ordinal) && !cand.Contains(e.Name))
                continue; // gradients are only compared when the candidate has them
            string status;
            double rel = double.NaN;
            if (!cand.TryGetEntry(e.Name, out var c))
                status = "MISSING";
            else if (!c.Shape.SequenceEqual(e.Shape))
                status = $"SHAPE {c.ShapeText} vs {e.ShapeText}";
            else
            {
                var a = new float[c.ElementCount];
                var b = new float[e.ElementCount];
                cand.ReadAsFloat32(c, a);
                exp.ReadAsFloat32(e, b);
                rel = TensorCompare.RelativeError(a, b);
                bool same = float.IsNaN(a.FirstOrDefault()) && a.Length == 1 && float.IsNaN(b[0]); // NaN losses match NaN
                status = same || rel <= threshold ? "ok" : "FAIL";
            }
            if (status == "ok") passed++; else failed++;
            Console.WriteLine(string.Format(inv, "{0,-28} {1,10:E3}  {2}", e.Name, rel, status));
        }
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
