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

    /// <summary>
    /// Runs the forward on sequences packed without padding (<see cref="AlbertPackedBatch"/>): per-token outputs come
    /// back packed (<c>[tokens, …]</c>), per-sequence outputs one row per sequence; no losses. The numbers are those of
    /// the padded forward at the real positions (≤ 1e-5 relative). The CPU engine computes no padding at all (D33); this
    /// default pads to the longest sequence, runs <see cref="Forward"/> and packs its outputs.
    /// </summary>
    AlbertOutput ForwardPacked(AlbertPackedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Pack(Forward(batch.ToPadded()), Head);
    }
}
