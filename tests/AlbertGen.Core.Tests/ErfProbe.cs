namespace AlbertGen.Tests;

/// <summary>
/// Where the erf kernels are checked against <c>Erf.Double</c>: −6 … 6 in steps of 1/256, ±0 and tiny values, and the
/// neighbours of the branch points (the split at 0.921875, the clamp at 3.925) on both sides, padded to whole vectors.
/// </summary>
internal static class ErfProbe
{
    /// <summary>Largest absolute error allowed (the division-free form is within 6e-8; the former one reached 1.2e-7).</summary>
    public const double Bound = 1e-7;

    public static float[] Points()
    {
        var xs = Enumerable.Range(-6 * 256, 12 * 256 + 1).Select(i => i / 256f).ToList();
        xs.AddRange([0f, -0f, 1e-30f, -1e-30f, 1e-8f, -1e-8f]);
        foreach (float edge in new[] { 0.921875f, 3.925f })
        {
            foreach (float x in new[] { MathF.BitDecrement(edge), edge, MathF.BitIncrement(edge) })
            {
                xs.Add(x);
                xs.Add(-x);
            }
        }
        while (xs.Count % 8 != 0) xs.Add(0.5f);
        return [.. xs];
    }
}
