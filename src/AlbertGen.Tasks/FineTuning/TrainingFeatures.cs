using AlbertGen.Model;

namespace AlbertGen.Tasks.FineTuning;

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
