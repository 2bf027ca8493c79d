using AlbertGen.Config;
using AlbertGen.Model;

namespace AlbertGen.Torch.Training.FineTuning;

/// <summary>
/// What <see cref="FineTuner"/> needs from a task: the HF head and config, the training units (features) of a split as
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

/// <summary>Training units that can be drawn in any order and collated into one labelled batch.</summary>
public interface ITrainingFeatures
{
    int Count { get; }
    AlbertBatch Batch(IReadOnlyList<int> indices);
}

/// <summary>Features held in a list, collated by a function.</summary>
public sealed class TrainingFeatures<TFeature>(IReadOnlyList<TFeature> features, Func<IReadOnlyList<TFeature>, AlbertBatch> collate) : ITrainingFeatures
{
    public IReadOnlyList<TFeature> Features { get; } = features;
    public int Count => Features.Count;
    public AlbertBatch Batch(IReadOnlyList<int> indices) => collate(indices.Select(i => Features[i]).ToList());
}

/// <summary>Named metrics (insertion order kept) over <see cref="Examples"/> examples.</summary>
public sealed record EvalResult(int Examples, IReadOnlyList<KeyValuePair<string, double>> Metrics)
{
    public double this[string name] => Metrics.First(kv => kv.Key == name).Value;

    public override string ToString() =>
        string.Join(", ", Metrics.Select(kv => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}"))) + $" ({Examples} examples)";
}
