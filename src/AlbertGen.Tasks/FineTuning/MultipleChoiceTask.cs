using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// <c>AlbertForMultipleChoice</c> as HF run_swag feeds it: each choice is the pair (context, question + " " + choice), or
/// (context, choice) without a question, truncated longest-first to <paramref name="maxSeqLength"/>; a batch of B questions
/// is B × num_choices rows. Metric: accuracy.
/// </summary>
public sealed class MultipleChoiceTask(AlbertTokenizer tokenizer, int maxSeqLength) : IFineTuningTask<ChoiceExample>
{
    public AlbertHead Head => AlbertHead.MultipleChoice;

    public AlbertConfig ModelConfig(AlbertConfig pretrained) => HeadSelection.TaskConfig(pretrained, Head);

    public ITrainingFeatures Prepare(IReadOnlyList<ChoiceExample> examples) => new TrainingFeatures<ChoiceExample>(examples, Collate);

    public AlbertBatch Inputs(IReadOnlyList<ChoiceExample> chunk) =>
        EncodedBatch.Choices(tokenizer, chunk.Select(e => new ChoiceQuestion(e.Context, e.Question, e.Choices)).ToList(), maxSeqLength);

    AlbertBatch Collate(IReadOnlyList<ChoiceExample> chunk)
    {
        var b = Inputs(chunk);
        return new AlbertBatch(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds, b.NumChoices)
        {
            Labels = chunk.Select(e => e.Label).ToArray(),
            LabelsShape = [chunk.Count],
        };
    }

    public EvalResult Evaluate(IAlbertBackend backend, IReadOnlyList<ChoiceExample> examples, int batchSize)
    {
        int correct = 0;
        for (int b = 0; b < examples.Count; b += batchSize)
        {
            var chunk = examples.Skip(b).Take(batchSize).ToList();
            var logits = backend.Forward(Inputs(chunk)).Logits!.Data;
            int k = chunk[0].Choices.Length;
            for (int i = 0; i < chunk.Count; i++)
            {
                if (TaskMath.ArgMax(logits.AsSpan(i * k, k)) == chunk[i].Label) correct++;
            }
        }
        return new EvalResult(examples.Count, [new("accuracy", examples.Count == 0 ? 0 : (double)correct / examples.Count)]);
    }
}
