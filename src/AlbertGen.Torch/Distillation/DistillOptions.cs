namespace AlbertGen.Torch.Distillation;

/// <summary><c>albertgen albertize</c>'s settings (docs/torch.md, D34).</summary>
public sealed record DistillOptions
{
    public int EmbeddingSize { get; init; } = 128;
    public int Groups { get; init; } = 1;
    public GroupInit GroupInit { get; init; } = GroupInit.Average;
    public int MaxSteps { get; init; } = 1000;
    /// <summary>Sentences per step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Tokens per sentence (longer ones are truncated).</summary>
    public int MaxSeqLength { get; init; } = 128;
    /// <summary>The corpus's first sentences, held out to measure the student against the teacher before and after.</summary>
    public int DevSentences { get; init; } = 256;
    public double LearningRate { get; init; } = 2e-4;
    /// <summary>Linear warmup steps, then linear decay to 0 at <see cref="MaxSteps"/>.</summary>
    public int WarmupSteps { get; init; } = 20;
    /// <summary>Global-norm clip; 0 disables.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Weight of 1 − cos(mean-pooled student, mean-pooled teacher) beside the hidden-state MSE.</summary>
    public double CosineWeight { get; init; } = 1.0;
    /// <summary>
    /// Sentence pairs with gold similarity (STS benchmark layout, <see cref="AlbertGen.Tasks.Distillation.StsPairReader"/>):
    /// each step also distils on B pairs' 2B sentences and adds <see cref="PairWeight"/> × the CoSENT loss of the
    /// student's cosines against the gold order (D40). Null: corpus distillation only.
    /// </summary>
    public string? PairsFile { get; init; }
    /// <summary>Held-out pairs (STS-B dev): the student's Spearman × 100 on them is measured every <see cref="EvalEvery"/> steps, and the output folder keeps the best step's model. Null: the last step's model.</summary>
    public string? PairsDevFile { get; init; }
    /// <summary>Weight of the CoSENT pair loss beside the distillation losses.</summary>
    public double PairWeight { get; init; } = 1.0;
    /// <summary>Measure on <see cref="PairsDevFile"/> every N steps (and after the last one).</summary>
    public int EvalEvery { get; init; } = 100;
    /// <summary>Start from this student folder (an AlbertModel with the teacher's hidden_size and depth, e.g. an earlier albertize output) instead of initialising one from the teacher; its embedding_size and groups are kept.</summary>
    public string? StudentDir { get; init; }
    /// <summary>Write a checkpoint every N steps (0: only the final model).</summary>
    public int SaveEvery { get; init; }
    /// <summary>Continue from the newest checkpoint under the output folder, if any.</summary>
    public bool Resume { get; init; }
    public long Seed { get; init; } = 12345;
    /// <summary>Echo one line per step to this writer (null: quiet).</summary>
    public TextWriter? Log { get; init; }
}
