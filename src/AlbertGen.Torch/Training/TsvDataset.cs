using AlbertGen.Torch.Training.FineTuning;

namespace AlbertGen.Torch.Training;

/// <summary>
/// GLUE-style single-sentence classification data: a TSV with a header naming <c>sentence</c> and <c>label</c> columns
/// (SST-2), or CoLA's header-less layout (source, label, original mark, sentence). Labels are class indices.
/// <see cref="SequenceClassificationData"/> reads the general case (pairs, regression, multi-label, label names).
/// </summary>
public static class TsvDataset
{
    public static List<(string Text, int Label)> Read(string path, int numLabels) =>
        SequenceClassificationData.Read(path, Enumerable.Range(0, numLabels).Select(i => $"LABEL_{i}").ToList(), SequenceClassificationData.SingleLabel)
            .Select(e => (e.Text, e.Label)).ToList();
}
