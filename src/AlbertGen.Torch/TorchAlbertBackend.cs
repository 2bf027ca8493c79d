using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace AlbertGen.Torch;

/// <summary>
/// The TorchSharp backend: the same forward contract as the CPU engine (<see cref="IAlbertBackend"/>: HF outputs and
/// losses, eval mode), plus what training needs — the module (<see cref="Model"/>), a forward that keeps the graph
/// (<see cref="ForwardTensors"/>), and saving as an HF model folder.
/// </summary>
public sealed class TorchAlbertBackend : IAlbertBackend
{
    bool _disposed;

    TorchAlbertBackend(AlbertForHead model, Device device)
    {
        Model = model;
        Device = device;
    }

    public AlbertConfig Config => Model.Config;
    public AlbertHead Head => Model.Head;
    /// <summary>The module tree; its <c>state_dict()</c> keys are HF's.</summary>
    public AlbertForHead Model { get; }
    public Device Device { get; }
    /// <summary>
    /// Compute type of the matmuls (<see cref="Autocast"/>): null = float32 (default), <c>BFloat16</c> = mixed precision
    /// as PyTorch's bf16 autocast (float32 weights, optimiser state, norms and losses). See <see cref="TorchRuntime.ParsePrecision"/>.
    /// </summary>
    public ScalarType? ComputeType { get; set; }

    /// <summary>Loads a model folder (config.json + model.safetensors or pytorch_model.bin); head from <c>architectures</c> unless given; device <c>auto|cpu|cuda</c>.</summary>
    public static TorchAlbertBackend Load(string modelDirectory, AlbertHead? head = null, string device = "auto")
    {
        if (!Directory.Exists(modelDirectory))
            throw new DirectoryNotFoundException($"model folder not found: {modelDirectory}");
        var config = AlbertConfig.Load(modelDirectory);
        return Load(config, AlbertGen.Checkpoints.CheckpointFiles.Find(modelDirectory), head ?? config.DefaultHead, device);
    }

    public static TorchAlbertBackend Load(AlbertConfig config, string weightsPath, AlbertHead head, string device = "auto")
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ValidateFor(head);
        var dev = TorchRuntime.ParseDevice(device);
        using var ckpt = AlbertCheckpoint.Open(config, weightsPath, head);
        var model = new AlbertForHead(config, head, ckpt.HasPooler);
        try
        {
            TorchWeights.Load(model, ckpt);
            model.MoveTo(dev);
            model.eval();
            return new TorchAlbertBackend(model, dev);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A freshly initialised model (HF's <c>_init_weights</c>), deterministic in <paramref name="seed"/>.</summary>
    public static TorchAlbertBackend Create(AlbertConfig config, AlbertHead head, long seed, string device = "auto")
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ValidateFor(head);
        var dev = TorchRuntime.ParseDevice(device);
        var model = new AlbertForHead(config, head);
        try
        {
            TorchWeights.InitializeHf(model, seed);
            model.MoveTo(dev);
            model.eval();
            return new TorchAlbertBackend(model, dev);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    void Check(AlbertBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        batch.Validate(Config, Head);
    }

    /// <summary>Eval-mode forward without gradients; host copies of HF's outputs (and losses when labels are given).</summary>
    public AlbertOutput Forward(AlbertBatch batch)
    {
        Check(batch);
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using var tb = TorchBatch.From(batch, Device);
            using var autocast = Autocast.Enter(ComputeType);
            using var output = Model.Forward(tb);
            return output.ToAlbertOutput();
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }

    /// <summary>Forward in the module's current mode, keeping the autograd graph (call <c>Loss.backward()</c>). The caller disposes the result.</summary>
    public TorchAlbertOutput ForwardTensors(TorchBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Check(batch.Source);
        using var autocast = Autocast.Enter(ComputeType);
        return Model.Forward(batch);
    }

    /// <summary>Writes an HF model folder (config.json with architectures, model.safetensors).</summary>
    public void SavePretrained(string directory, IReadOnlyDictionary<string, string>? metadata = null) =>
        TorchWeights.SavePretrained(Model, directory, metadata);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Model.Dispose();
    }
}
