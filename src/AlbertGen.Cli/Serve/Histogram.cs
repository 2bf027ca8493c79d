using System.Globalization;
using System.Text;

namespace AlbertGen.Cli.Serve;

/// <summary>A Prometheus histogram with fixed upper bounds: per-bucket counts, sum and count, updated lock-free.</summary>
internal sealed class Histogram(double[] bounds)
{
    readonly long[] _buckets = new long[bounds.Length + 1]; // the last is +Inf
    long _count;
    double _sum;

    public void Observe(double value)
    {
        int i = 0;
        while (i < bounds.Length && value > bounds[i]) i++;
        Interlocked.Increment(ref _buckets[i]);
        Interlocked.Increment(ref _count);
        double seen, next;
        do
        {
            seen = Volatile.Read(ref _sum);
            next = seen + value;
        } while (Interlocked.CompareExchange(ref _sum, next, seen) != seen);
    }

    /// <summary>Appends <c>name_bucket{labels,le=…}</c> (cumulative), <c>name_sum</c>, <c>name_count</c>.</summary>
    public void Write(StringBuilder text, string name, string labels)
    {
        var inv = CultureInfo.InvariantCulture;
        string sep = labels.Length > 0 ? "," : "";
        long cumulative = 0;
        for (int i = 0; i <= bounds.Length; i++)
        {
            cumulative += Volatile.Read(ref _buckets[i]);
            string le = i < bounds.Length ? bounds[i].ToString(inv) : "+Inf";
            text.Append(inv, $"{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}\n");
        }
        string braces = labels.Length > 0 ? "{" + labels + "}" : "";
        text.Append(inv, $"{name}_sum{braces} {Volatile.Read(ref _sum).ToString("R", inv)}\n");
        text.Append(inv, $"{name}_count{braces} {Volatile.Read(ref _count)}\n");
    }
}
