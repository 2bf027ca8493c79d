using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace AlbertGen.Fuzz.Tests;

/// <summary>
/// A seeded fuzz driver. Input i of a target is made from <c>new Random(HashCode(seed, i))</c>, so a failure names its
/// seed and index and replays exactly. The property: <paramref name="check"/> finishes within
/// <see cref="MaxSecondsPerInput"/> and throws nothing but the <c>allowed</c> exception types (the documented ones).
/// Budget: <c>ALBERTGEN_FUZZ_ITERATIONS</c> inputs per target when set (a long local run), else
/// <c>ALBERTGEN_FUZZ_SECONDS</c> seconds per target (default <see cref="DefaultSeconds"/>, the CI budget).
/// A failing input is written to <c>$TMPDIR/albertgen-fuzz-failures/</c>; committed under <c>tests/fixtures/fuzz/TARGET/</c>
/// it becomes a regression case that <see cref="Replay"/> runs every time.
/// </summary>
public static class Fuzzer
{
    public const double DefaultSeconds = 12;
    public const double MaxSecondsPerInput = 5;

    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("ALBERTGEN_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 20261203;

    public sealed record Report(string Target, long Inputs, long Accepted, long Rejected, double Seconds);

    public static Report Run(ITestOutputHelper output, string target, Func<Random, byte[]> generate, Action<byte[]> check, params Type[] allowed)
    {
        long? iterations = long.TryParse(Environment.GetEnvironmentVariable("ALBERTGEN_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("ALBERTGEN_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : DefaultSeconds;
        int seed = Seed;
        var total = Stopwatch.StartNew();
        long accepted = 0, rejected = 0, i = 0;
        for (; iterations is long max ? i < max : total.Elapsed.TotalSeconds < seconds; i++)
        {
            var rng = new Random(HashCode.Combine(seed, target.GetHashCode(StringComparison.Ordinal) ^ 0x5bd1e995, i));
            byte[] input = generate(rng);
            var failure = Check(input, check, allowed, out bool ok);
            if (failure is not null)
            {
                string saved = Save(target, seed, i, input);
                Assert.Fail($"{target}: input {i} (seed {seed}) {failure}; saved to {saved}");
            }
            if (ok) accepted++;
            else rejected++;
        }
        var report = new Report(target, i, accepted, rejected, total.Elapsed.TotalSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz {target}: {report.Inputs} inputs in {report.Seconds:F1} s ({report.Accepted} accepted, {report.Rejected} rejected with a documented error), seed {seed}"));
        Log(report);
        return report;
    }

    /// <summary>Runs the committed regression inputs of <paramref name="target"/> (tests/fixtures/fuzz/TARGET/*).</summary>
    public static int Replay(string target, Action<byte[]> check, params Type[] allowed)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "fixtures", "fuzz", target);
        int count = 0;
        if (!Directory.Exists(dir)) return 0;
        foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
        {
            var failure = Check(File.ReadAllBytes(file), check, allowed, out _);
            Assert.True(failure is null, $"{target}: regression case {Path.GetFileName(file)}: {failure}");
            count++;
        }
        return count;
    }

    static string? Check(byte[] input, Action<byte[]> check, Type[] allowed, out bool ok)
    {
        ok = false;
        var sw = Stopwatch.StartNew();
        try
        {
            check(input);
            ok = true;
        }
        catch (Exception e) when (allowed.Contains(e.GetType()))
        {
            // a documented error: the CLI prints it as one line (CliErrors.OneLine escapes control characters)
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
        }
        return sw.Elapsed.TotalSeconds > MaxSecondsPerInput
            ? string.Create(CultureInfo.InvariantCulture, $"took {sw.Elapsed.TotalSeconds:F1} s (more than {MaxSecondsPerInput} s)")
            : null;
    }

    static string Save(string target, int seed, long index, byte[] input)
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-fuzz-failures", target);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"seed{seed}-input{index}.bin"));
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>Appends the counts to <c>ALBERTGEN_FUZZ_LOG</c> when set (the long local run collects them there).</summary>
    static void Log(Report r)
    {
        string? log = Environment.GetEnvironmentVariable("ALBERTGEN_FUZZ_LOG");
        if (string.IsNullOrEmpty(log)) return;
        lock (typeof(Fuzzer))
            File.AppendAllText(log, string.Create(CultureInfo.InvariantCulture,
                $"{r.Target}\t{r.Inputs}\t{r.Accepted}\t{r.Rejected}\t{r.Seconds:F1}\n"));
    }
}
