using AlbertGen.Config;
using AlbertGen.Model;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>
/// HF <c>AlbertModel</c> wrapped as the <c>AlbertFor*</c> class of <see cref="Head"/>: <c>albert</c> plus the head's
/// modules (<c>predictions</c> + <c>sop_classifier</c>, <c>predictions</c>, <c>classifier</c>, <c>qa_outputs</c>).
/// Its <c>state_dict()</c> keys are the HF keys of that class (for <see cref="AlbertHead.Base"/> the encoder keys keep
/// the <c>albert.</c> prefix, as Core's weight list does; the saved file drops it, as HF's AlbertModel does).
/// Forward computes HF's outputs and, when the batch carries labels, HF's loss.
/// </summary>
public sealed class AlbertForHead : nn.Module
{
#pragma warning disable IDE1006 // field names are HF state-dict keys
    readonly AlbertModel albert;
    readonly AlbertMLMHead? predictions;     // PreTraining, MaskedLM
    readonly AlbertSOPHead? sop_classifier;  // PreTraining
    readonly Dropout? dropout;               // SequenceClassification, TokenClassification, MultipleChoice
    readonly Linear? classifier;             // (num_labels | 1, H)
    readonly Linear? qa_outputs;             // (num_labels = 2, H)
#pragma warning restore IDE1006

    /// <param name="withPooler">build the pooler (default: when HF builds this class with one); false for a bare
    /// <c>AlbertModel</c> checkpoint without pooler weights (<see cref="AlbertCheckpoint.HasPooler"/>)</param>
    public AlbertForHead(AlbertConfig config, AlbertHead head, bool? withPooler = null) : base(head.HfClassName())
    {
        Config = config;
        Head = head;
        albert = new AlbertModel(config, withPooler ?? head.HasPooler());
        switch (head)
        {
            case AlbertHead.PreTraining:
            case AlbertHead.MaskedLM:
                predictions = new AlbertMLMHead(config, config.TieWordEmbeddings ? albert.Embeddings.WordEmbeddingWeight : null);
                if (head == AlbertHead.PreTraining)
                    sop_classifier = new AlbertSOPHead(config);
                break;
            case AlbertHead.SequenceClassification:
            case AlbertHead.TokenClassification:
                // HF: classifier_dropout_prob for sequence classification, hidden_dropout_prob for token classification
                dropout = nn.Dropout(head == AlbertHead.SequenceClassification ? config.ClassifierDropoutProb : config.HiddenDropoutProb);
                classifier = nn.Linear(config.HiddenSize, config.NumLabels);
                break;
            case AlbertHead.MultipleChoice:
                dropout = nn.Dropout(config.ClassifierDropoutProb);
                classifier = nn.Linear(config.HiddenSize, 1);
                break;
            case AlbertHead.QuestionAnswering:
                qa_outputs = nn.Linear(config.HiddenSize, config.NumLabels);
                break;
        }
        RegisterComponents();
    }

    public AlbertConfig Config { get; }
    public AlbertHead Head { get; }
    /// <summary>The encoder (<c>albert.*</c>).</summary>
    public AlbertModel Albert => albert;

    /// <summary>
    /// Moves the parameters to <paramref name="device"/> and re-ties the MLM decoder to the word embeddings
    /// (HF's <c>tie_weights</c>): TorchSharp moves each registered parameter separately, which would otherwise leave
    /// the decoder with its own copy. A no-op on the CPU, where the model is built.
    /// </summary>
    public AlbertForHead MoveTo(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CPU)
            return this;
        this.to(device);
        predictions?.TieWeights(Config.TieWordEmbeddings ? albert.Embeddings.WordEmbeddingWeight : null);
        return this;
    }

    /// <summary>
    /// Training mode for ALBERT pretraining: dropouts from the config (hidden, attention) are active, but the
    /// sentence-order classifier runs without dropout, as in google-research/albert run_pretraining.py
    /// (HF's AlbertSOPHead would apply classifier_dropout_prob there). See docs/torch.md.
    /// </summary>
    public void TrainForPretraining()
    {
        train();
        sop_classifier?.eval();
    }

    /// <summary>The forward of the HF class, with its loss when the batch has labels.</summary>
    public TorchAlbertOutput Forward(TorchBatch batch)
    {
        using var scope = NewDisposeScope();
        var c = Config;
        var (hidden, pooled) = albert.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        var o = new TorchAlbertOutput { LastHiddenState = hidden, PoolerOutput = pooled };
        bool hasLabels = batch.Labels is not null || batch.FloatLabels is not null;
        switch (Head)
        {
            case AlbertHead.PreTraining:
                o.PredictionLogits = predictions!.forward(hidden);
                o.SopLogits = sop_classifier!.forward(pooled!);
                if (hasLabels && batch.SentenceOrderLabel is not null)
                {
                    o.MlmLoss = CrossEntropy(o.PredictionLogits.view(-1, c.VocabSize), IntLabels(batch));
                    o.SopLoss = CrossEntropy(o.SopLogits.view(-1, c.NumLabels), batch.SentenceOrderLabel);
                    o.Loss = o.MlmLoss + o.SopLoss;
                }
                break;
            case AlbertHead.MaskedLM:
                o.Logits = predictions!.forward(hidden);
                if (hasLabels)
                    o.Loss = CrossEntropy(o.Logits.view(-1, c.VocabSize), IntLabels(batch));
                break;
            case AlbertHead.SequenceClassification:
                o.Logits = Autocast.Linear(classifier!, dropout!.forward(pooled!));
                if (hasLabels)
                    o.Loss = SequenceClassificationLoss(o.Logits, batch);
                break;
            case AlbertHead.TokenClassification:
                o.Logits = Autocast.Linear(classifier!, dropout!.forward(hidden));
                if (hasLabels)
                    o.Loss = CrossEntropy(o.Logits.view(-1, c.NumLabels), IntLabels(batch));
                break;
            case AlbertHead.QuestionAnswering:
            {
                var logits = Autocast.Linear(qa_outputs!, hidden);            // (B, S, 2)
                var parts = logits.split(1, -1);
                o.StartLogits = parts[0].squeeze(-1).contiguous();
                o.EndLogits = parts[1].squeeze(-1).contiguous();
                if (batch.StartPositions is not null && batch.EndPositions is not null)
                {
                    long seq = batch.SequenceLength;
                    var s = batch.StartPositions.clamp(0, seq);
                    var e = batch.EndPositions.clamp(0, seq);
                    o.Loss = (CrossEntropy(o.StartLogits, s, seq) + CrossEntropy(o.EndLogits, e, seq)) / 2.0;
                }
                break;
            }
            case AlbertHead.MultipleChoice:
                o.Logits = Autocast.Linear(classifier!, dropout!.forward(pooled!)).view(-1, batch.NumChoices);
                if (hasLabels)
                    o.Loss = CrossEntropy(o.Logits, IntLabels(batch));
                break;
        }
        return o.MoveToOuterDisposeScope();
    }

    Tensor SequenceClassificationLoss(Tensor logits, TorchBatch batch)
    {
        int labels = Config.NumLabels;
        switch (HeadSelection.SequenceClassificationProblem(Config, integerLabels: batch.Labels is not null))
        {
            case ProblemType.Regression:
            {
                var target = batch.FloatLabels!;
                if (target.numel() != logits.numel())
                    throw new AlbertInputException($"'labels' has {target.numel()} values, the logits have {logits.numel()}");
                return labels == 1
                    ? nn.functional.mse_loss(logits.squeeze(), target.squeeze())
                    : nn.functional.mse_loss(logits, target.view(logits.shape));
            }
            case ProblemType.SingleLabelClassification:
                return CrossEntropy(logits.view(-1, labels), IntLabels(batch));
            default:
            {
                var target = batch.FloatLabels!;
                if (target.numel() != logits.numel())
                    throw new AlbertInputException($"'labels' has {target.numel()} values, the logits have {logits.numel()}");
                return nn.functional.binary_cross_entropy_with_logits(logits, target.view(logits.shape));
            }
        }
    }

    static Tensor IntLabels(TorchBatch batch) =>
        batch.Labels ?? throw new AlbertInputException("'labels' must hold integer class indices for this head (found non-integer values)");

    /// <summary>torch's <c>CrossEntropyLoss(ignore_index)</c>, mean over non-ignored rows; labels checked first as Core's losses do.</summary>
    static Tensor CrossEntropy(Tensor logits, Tensor labels, long ignoreIndex = AlbertLosses.IgnoreIndex)
    {
        long classes = logits.shape[^1];
        if (labels.numel() != logits.shape[0])
            throw new AlbertInputException($"'labels' has {labels.numel()} entries, expected {logits.shape[0]}");
        using (no_grad())
        {
            using var bad = (labels.ne(ignoreIndex).logical_and(labels.lt(0).logical_or(labels.ge(classes)))).any();
            if (bad.item<bool>())
                throw new AlbertInputException($"a label is not a class index in [0, {classes}) nor the ignore index {ignoreIndex}");
        }
        return nn.functional.cross_entropy(logits, labels, ignore_index: ignoreIndex);
    }
}
