using AlbertGen.Config;
using AlbertGen.Model;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// What the fine-tuning loop (<c>AlbertGen.Torch.Training.FineTuner</c>) needs from a task: the HF head and config, the training units (features) of a split as
/// labelled <see cref="AlbertBatch"/>es, and the task's metrics over a split.
/// </summary>
public interface IFineTuningTask<TExample>
{
    AlbertHead Head { get; }

    /// <summary>The pretrained config made into the task's: architectures, id2label / label2id, problem_type.</summary>
    AlbertConfig ModelConfig(AlbertConfig pretrained);

    /// <summary>The training units of <paramref name="examples"/> (one per example, or several for long QA contexts).</summary>
    ITrainingFeatures Prepare(IReadOnlyList<TExample> examples);

    /// <summary>Metrics of <paramref name="backend"/> (in eval mode) on <paramref name="examples"/>, by name.</summary>
    EvalResult Evaluate(IAlbertBackend backend, IReadOnlyList<TExample> examples, int batchSize);
}
