namespace AlbertGen.Torch.Training;

/// <summary>Fine-tuning hyper-parameters (HF Trainer defaults where it has them: AdamW, linear schedule).</summary>
public sealed record FineTuneOptions
{
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 32;
    public int MaxSeqLength { get; init; } = 64;
    public double LearningRate { get; init; } = 5e-5;
    public double WarmupFraction { get; init; } = 0.1;
    public double MaxGradNorm { get; init; } = 1.0;
    public int MaxExamples { get; init; }
    public long Seed { get; init; } = 42;
    public TextWriter? Log { get; init; }
    /// <summary>Log the smoothed loss every this many steps.</summary>
    public int LogEvery { get; init; } = 50;
    /// <summary>Called after each optimiser step with the step index and the batch loss (tests, curves).</summary>
    public Action<long, float>? OnStep { get; init; }
}
