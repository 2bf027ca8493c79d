namespace AlbertGen.Torch.Distillation;

/// <summary>One distillation step (a line of metrics.jsonl): loss = hidden_mse + w·(1 − cosine).</summary>
public sealed record DistillStepMetrics(long Step, double Loss, double HiddenMse, double Cosine, double LearningRate, double GradNorm, double StepMilliseconds);

/// <summary>The student against the teacher on held-out sentences: mean hidden-state MSE (over all L + 1 states) and mean cosine of the mean-pooled vectors.</summary>
public sealed record DistillEvaluation(double HiddenMse, double Cosine, int Sentences);
