using AlbertGen.Model;
using static TorchSharp.torch;

namespace AlbertGen.Torch;

/// <summary>An <see cref="AlbertBatch"/> as int64 / float32 tensors on a device (rows = batch, or batch × num_choices).</summary>
public sealed class TorchBatch : IDisposable
{
    TorchBatch(AlbertBatch source) => Source = source;

    public AlbertBatch Source { get; }
    public int Rows => Source.Rows;
    public int SequenceLength => Source.SequenceLength;
    public int NumChoices => Source.NumChoices;

    /// <summary>(rows, seq) int64.</summary>
    public Tensor InputIds { get; private init; } = null!;
    /// <summary>(rows, seq) int64; ones where the batch has no mask.</summary>
    public Tensor AttentionMask { get; private init; } = null!;
    /// <summary>(rows, seq) int64; zeros where the batch has none.</summary>
    public Tensor TokenTypeIds { get; private init; } = null!;
    /// <summary>Integer labels (int64, flat) or null.</summary>
    public Tensor? Labels { get; private init; }
    /// <summary>Float labels (float32, in LabelsShape) — from float JSON labels, or the integer ones converted; null without labels.</summary>
    public Tensor? FloatLabels { get; private init; }
    public Tensor? SentenceOrderLabel { get; private init; }
    public Tensor? StartPositions { get; private init; }
    public Tensor? EndPositions { get; private init; }

    public static TorchBatch From(AlbertBatch b, Device device)
    {
        long[] dims = [b.Rows, b.SequenceLength];
        static Tensor Long(int[] values, long[] shape, Device device) =>
            tensor(Array.ConvertAll(values, x => (long)x), shape, device: device);
        Tensor? Vector(int[]? v) => v is null ? null : Long(v, [v.Length], device);
        long[] labelShape = b.LabelsShape is null ? [] : Array.ConvertAll(b.LabelsShape, x => (long)x);
        return new TorchBatch(b)
        {
            InputIds = Long(b.InputIds, dims, device),
            AttentionMask = b.AttentionMask is null ? ones(dims, ScalarType.Int64, device) : Long(b.AttentionMask, dims, device),
            TokenTypeIds = b.TokenTypeIds is null ? zeros(dims, ScalarType.Int64, device) : Long(b.TokenTypeIds, dims, device),
            Labels = b.Labels is null ? null : Long(b.Labels, [b.Labels.Length], device),
            FloatLabels = b.FloatLabels is not null ? tensor(b.FloatLabels, labelShape, device: device)
                : b.Labels is not null ? tensor(Array.ConvertAll(b.Labels, x => (float)x), labelShape, device: device) : null,
            SentenceOrderLabel = Vector(b.SentenceOrderLabel),
            StartPositions = Vector(b.StartPositions),
            EndPositions = Vector(b.EndPositions),
        };
    }

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
        Labels?.Dispose();
        FloatLabels?.Dispose();
        SentenceOrderLabel?.Dispose();
        StartPositions?.Dispose();
        EndPositions?.Dispose();
    }
}

/// <summary>The outputs of a TorchSharp forward as tensors (still attached to the autograd graph in training), under HF's names.</summary>
public sealed class TorchAlbertOutput : IDisposable
{
    public Tensor? LastHiddenState { get; set; }
    public Tensor? PoolerOutput { get; set; }
    public Tensor? PredictionLogits { get; set; }
    public Tensor? SopLogits { get; set; }
    public Tensor? Logits { get; set; }
    public Tensor? StartLogits { get; set; }
    public Tensor? EndLogits { get; set; }
    public Tensor? Loss { get; set; }
    public Tensor? MlmLoss { get; set; }
    public Tensor? SopLoss { get; set; }

    IEnumerable<Tensor?> All() => [LastHiddenState, PoolerOutput, PredictionLogits, SopLogits, Logits, StartLogits, EndLogits, Loss, MlmLoss, SopLoss];

    /// <summary>Copies to host float32 arrays, HF field by field.</summary>
    public AlbertOutput ToAlbertOutput() => new()
    {
        LastHiddenState = ToHost(LastHiddenState), PoolerOutput = ToHost(PoolerOutput),
        PredictionLogits = ToHost(PredictionLogits), SopLogits = ToHost(SopLogits), Logits = ToHost(Logits),
        StartLogits = ToHost(StartLogits), EndLogits = ToHost(EndLogits),
        Loss = ToHost(Loss), MlmLoss = ToHost(MlmLoss), SopLoss = ToHost(SopLoss),
    };

    public static FloatTensor? ToHost(Tensor? t)
    {
        if (t is null) return null;
        using var host = t.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return new FloatTensor(Array.ConvertAll(host.shape, x => checked((int)x)), host.data<float>().ToArray());
    }

    /// <summary>Moves every tensor out of the current dispose scope.</summary>
    public TorchAlbertOutput MoveToOuterDisposeScope()
    {
        foreach (var t in All()) t?.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var t in All()) t?.Dispose();
    }
}
