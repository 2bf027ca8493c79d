namespace AlbertGen.Torch.Distillation;

/// <summary>One distillation step (a line of metrics.jsonl): loss = hidden_mse + w·(1 − cosine) [+ w_pair·pair_loss]; PairLoss is NaN without pairs.</summary>
public sealed record DistillStepMetrics(long Step, double Loss, double HiddenMse, double Cosine, double LearningRate, double GradNorm, double StepMilliseconds, double PairLoss = double.NaN);

/// <summary>The student's Spearman × 100 of pair cosines against the gold scores on the dev pairs, after <c>Step</c> steps.</summary>
public sealed record PairEvaluation(long Step, double Spearman, int Pairs);

/// <summary>The student against the teacher on held-out sentences: mean hidden-state MSE (over all L + 1 states) and mean cosine of the mean-pooled vectors.</summary>
public sealed record DistillEvaluation(double HiddenMse, double Cosine, int Sentences);
