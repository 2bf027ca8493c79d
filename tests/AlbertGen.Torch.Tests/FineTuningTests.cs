using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.Tests;
using AlbertGen.Tokenization;
using AlbertGen.Torch.Training;
using AlbertGen.Tasks.FineTuning;
using Xunit.Abstractions;

namespace AlbertGen.Torch.Tests;

/// <summary>
/// Each task end to end on the tiny pipeline-mlm model and the hand-made data in fixtures/finetune-data: the loss falls,
/// the training data is fit better than chance, and the saved folder loads in the CPU engine with the task's head.
/// </summary>
public class FineTuningTests(ITestOutputHelper log) : IDisposable
{
    readonly TempDir _tmp = new();
    static string Model => Fixtures.Dir("pipeline-mlm");
    static string Data(string name) => Path.Combine(Fixtures.Dir("finetune-data"), name);
    static AlbertTokenizer Tokenizer() => AlbertTokenizer.FromModelDirectory(Model);

    public void Dispose() => _tmp.Dispose();

    /// <summary>Trains, scores the training data, saves; returns the per-step losses, the metrics and the folder.</summary>
    (List<float> Losses, EvalResult Train, string Dir) FineTune<T>(IFineTuningTask<T> task, IReadOnlyList<T> data, int epochs, double lr = 2e-3)
    {
        var config = task.ModelConfig(AlbertConfig.Load(Model));
        using var backend = FineTuner.FromPretrained(Model, config, task.Head, seed: 1, device: "cpu", log: null);
        var losses = new List<float>();
        FineTuner.Train(backend, task, data, null, new FineTuneOptions { Epochs = epochs, BatchSize = 8, LearningRate = lr, OnStep = (_, l) => losses.Add(l) });
        var metrics = task.Evaluate(backend, data, 16);
        log.WriteLine($"{task.Head}: loss {losses[0]:F3} → {losses[^1]:F3}; train {metrics}");
        string dir = _tmp.File(task.Head.CliName());
        backend.SavePretrained(dir);
        AlbertTokenizer.CopyFiles(Model, dir);
        return (losses, metrics, dir);
    }

    static void AssertLossFalls(List<float> losses)
    {
        int k = Math.Max(1, losses.Count / 5);
        double first = losses.Take(k).Average(), last = losses.TakeLast(k).Average();
        Assert.True(last < 0.7 * first, $"loss {first:F4} over the first {k} steps, {last:F4} over the last {k}");
    }

    static AlbertBatch WithoutLabels(AlbertBatch b) => new(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds, b.NumChoices);

    [TorchFact]
    public void Regression_fits_sts_style_pairs_and_saves_a_one_output_classifier()
    {
        var data = SequenceClassificationData.Read(Data("stsb.tsv"), ["LABEL_0"], SequenceClassificationData.Regression);
        var task = new SequenceClassificationTask(Tokenizer(), ["LABEL_0"], SequenceClassificationData.Regression, 32);
        var (losses, train, dir) = FineTune(task, data, epochs: 12);
        AssertLossFalls(losses);
        Assert.True(train["pearson"] > 0.8, train.ToString());
        Assert.True(train["spearmanr"] > 0.8, train.ToString());
        var config = AlbertConfig.Load(dir);
        Assert.Equal(("regression", 1, AlbertHead.SequenceClassification), (config.ProblemType, config.NumLabels, config.DefaultHead));
        using var cpu = CpuAlbertModel.Load(dir, threads: 1);
        Assert.Equal([3, 1], cpu.Forward(WithoutLabels(task.Prepare(data).Batch([0, 1, 2]))).Logits!.Shape);
    }

    [TorchFact]
    public void Multi_label_classification_fits_keyword_topics()
    {
        var labels = SequenceClassificationData.CollectLabelSet(Data("multilabel.tsv"));
        var data = SequenceClassificationData.Read(Data("multilabel.tsv"), labels, SequenceClassificationData.MultiLabel);
        var task = new SequenceClassificationTask(Tokenizer(), labels, SequenceClassificationData.MultiLabel, 32);
        var (losses, train, dir) = FineTune(task, data, epochs: 20);
        AssertLossFalls(losses);
        Assert.True(train["micro_f1"] > 0.8, train.ToString());
        Assert.True(train["subset_accuracy"] > 0.6, train.ToString());
        var config = AlbertConfig.Load(dir);
        Assert.Equal("multi_label_classification", config.ProblemType);
        Assert.Equal(labels, config.Id2Label);
        using var cpu = CpuAlbertModel.Load(dir, threads: 1);
        Assert.Equal([2, 3], cpu.Forward(WithoutLabels(task.Prepare(data).Batch([0, 1]))).Logits!.Shape);
    }

    [TorchFact]
    public void Token_classification_fits_the_conll_sample()
    {
        var data = ConllReader.Read(Data("ner.conll"));
        var labels = ConllReader.LabelList(data);
        var task = new TokenClassificationTask(Tokenizer(), labels, 32);
        var (losses, train, dir) = FineTune(task, data, epochs: 15);
        AssertLossFalls(losses);
        Assert.True(train["accuracy"] > 0.85, train.ToString()); // "O" alone is 58 %
        Assert.True(train["f1"] > 0.6, train.ToString());
        var config = AlbertConfig.Load(dir);
        Assert.Equal(AlbertHead.TokenClassification, config.DefaultHead);
        Assert.Equal(labels, config.Id2Label);
        using var cpu = CpuAlbertModel.Load(dir, threads: 1);
        var batch = WithoutLabels(task.Prepare(data).Batch([0, 1]));
        Assert.Equal([2, batch.SequenceLength, 4], cpu.Forward(batch).Logits!.Shape);
    }

    [TorchFact]
    public void Question_answering_fits_the_squad_sample()
    {
        var data = SquadReader.Read(Data("squad.json")).Examples;
        var task = new QuestionAnsweringTask(Tokenizer(), 64, 16, version2: false);
        var (losses, train, dir) = FineTune(task, data, epochs: 15);
        AssertLossFalls(losses);
        Assert.True(train["exact_match"] > 50, train.ToString()); // ~ 1 in 12 context tokens by chance
        Assert.Equal(AlbertHead.QuestionAnswering, AlbertConfig.Load(dir).DefaultHead);
        using var cpu = CpuAlbertModel.Load(dir, threads: 1);
        var batch = WithoutLabels(task.Prepare(data).Batch([0, 1]));
        var output = cpu.Forward(batch);
        Assert.Equal([2, batch.SequenceLength], output.StartLogits!.Shape);
        Assert.Equal([2, batch.SequenceLength], output.EndLogits!.Shape);
    }

    [TorchFact]
    public void Multiple_choice_fits_the_colour_sample()
    {
        var data = MultipleChoiceReader.Read(Data("choices.jsonl"));
        var task = new MultipleChoiceTask(Tokenizer(), 32);
        var (losses, train, dir) = FineTune(task, data, epochs: 15);
        AssertLossFalls(losses);
        Assert.True(train["accuracy"] > 0.6, train.ToString()); // chance 0.25
        Assert.Equal(AlbertHead.MultipleChoice, AlbertConfig.Load(dir).DefaultHead);
        using var cpu = CpuAlbertModel.Load(dir, threads: 1);
        Assert.Equal([3, 4], cpu.Forward(WithoutLabels(task.Prepare(data).Batch([0, 1, 2]))).Logits!.Shape);
    }
}
