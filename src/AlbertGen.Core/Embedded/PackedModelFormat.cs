using System.Globalization;
using AlbertGen.Config;

namespace AlbertGen.Embedded;

/// <summary>
/// The packed model image (docs/decisions.md D37): the engine's weights already in its own layout, for embedding in an
/// executable and running in place. Little-endian:
/// <code>
/// 0   "ALBGPACK"                   magic
/// 8   u32 version (1)              12  u32 alignment (64)
/// 16  u64 total length             24  u32 head (AlbertHead)       28  u32 sections
/// 32  u32 float panel width (Gemm.NR)   36  u32 int8 panel width (GemmInt8.NR)
/// 40  u32 fingerprint bytes, then the fingerprint (UTF-8, <see cref="Fingerprint"/>)
///     per section: u32 name bytes, name (UTF-8), u32 kind, u32 rows, u32 cols, u64 offset, u64 length
///     zero padding; every section's data starts on a 64-byte boundary of the image
/// </code>
/// Kinds: <see cref="SectionKind"/>. Data is never interpreted beyond its kind and sizes: the engine uses it in place.
/// </summary>
internal static class PackedModelFormat
{
    public static ReadOnlySpan<byte> Magic => "ALBGPACK"u8;
    public const int Version = 1;
    public const int Alignment = 64;
    public const int FixedHeader = 44;
    /// <summary>Name of a quantized matrix's scale section: the matrix's name and this suffix.</summary>
    public const string ScalesSuffix = "#scales";
    /// <summary>Prefix of the sections that hold the model folder's files (tokenizer, config).</summary>
    public const string FilePrefix = "file:";

    /// <summary>
    /// The config values the packed sections depend on, as one line: an image is used only by a config with the same
    /// line (shapes, activation, epsilon, labels, tied decoder).
    /// </summary>
    public static string Fingerprint(AlbertConfig c)
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Join(";",
            "vocab_size=" + c.VocabSize.ToString(inv),
            "embedding_size=" + c.EmbeddingSize.ToString(inv),
            "hidden_size=" + c.HiddenSize.ToString(inv),
            "num_hidden_layers=" + c.NumHiddenLayers.ToString(inv),
            "num_hidden_groups=" + c.NumHiddenGroups.ToString(inv),
            "inner_group_num=" + c.InnerGroupNum.ToString(inv),
            "num_attention_heads=" + c.NumAttentionHeads.ToString(inv),
            "intermediate_size=" + c.IntermediateSize.ToString(inv),
            "max_position_embeddings=" + c.MaxPositionEmbeddings.ToString(inv),
            "type_vocab_size=" + c.TypeVocabSize.ToString(inv),
            "hidden_act=" + c.Activation,
            "layer_norm_eps=" + c.LayerNormEps.ToString("R", inv),
            "num_labels=" + c.NumLabels.ToString(inv),
            "tie_word_embeddings=" + (c.TieWordEmbeddings ? "true" : "false"));
    }

    public static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}

/// <summary>What a section of a packed model image holds.</summary>
internal enum SectionKind
{
    /// <summary>float32, row-major rows × cols (embeddings, biases, LayerNorm).</summary>
    Float32 = 1,
    /// <summary>float32 GEMM panels of an n (rows) × k (cols) <c>nn.Linear</c> weight (<see cref="Kernels.PackedMatrix"/>).</summary>
    Float32Panels = 2,
    /// <summary>int8 GEMM panels of an n × k weight (<see cref="Kernels.QuantizedMatrix"/>); scales in the <c>#scales</c> section.</summary>
    Int8Panels = 3,
    /// <summary>A file's bytes (rows = length, possibly 0; cols = 1).</summary>
    Bytes = 4,
}
