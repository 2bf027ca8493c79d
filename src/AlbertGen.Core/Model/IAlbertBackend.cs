using AlbertGen.Config;

namespace AlbertGen.Model;

/// <summary>
/// The one forward contract both backends (the SIMD CPU engine and TorchSharp) implement: an HF
/// <c>AlbertModel</c> / <c>AlbertFor*</c> forward in eval mode (no dropout), with the losses HF computes when
/// the batch carries labels.
/// </summary>
public interface IAlbertBackend : IDisposable
{
    AlbertConfig Config { get; }

    /// <summary>The HF class this instance computes.</summary>
    AlbertHead Head { get; }

    /// <summary>Runs the forward. The returned tensors belong to the caller. Throws <see cref="AlbertInputException"/> on bad input.</summary>
    AlbertOutput Forward(AlbertBatch batch);
}
