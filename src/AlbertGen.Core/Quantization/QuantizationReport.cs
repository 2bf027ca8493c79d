namespace AlbertGen.Quantization;

/// <summary>
/// How an int8 model's outputs compare with its float model's on calibration batches (<see cref="QuantizationGate"/>):
/// the cosine of <c>last_hidden_state</c> per attended token (mean and worst) and, for heads that predict labels, the
/// share of predictions both models agree on.
/// </summary>
public sealed record QuantizationReport(
    double MeanCosine,
    double MinCosine,
    long Tokens,
    double? LabelAgreement,
    long Labels,
    string? LabelKind)
{
    /// <summary>Whether the report meets both thresholds (agreement only where the head predicts labels).</summary>
    public bool Passes(double minCosine, double minAgreement) =>
        MeanCosine >= minCosine && (LabelAgreement is null || LabelAgreement >= minAgreement);
}
