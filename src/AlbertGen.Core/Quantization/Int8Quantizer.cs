using System.Runtime.InteropServices;
using AlbertGen.Kernels;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Quantization;

/// <summary>
/// Writes the int8 form of a float checkpoint (docs/quantization.md): every tensor the checkpoint's head needs, under
/// its HF name; those <see cref="Int8Weights.IsQuantizable"/> as <c>I8</c> (symmetric, per output row:
/// <see cref="QuantizedMatrix.Quantize"/>) with an <c>F32</c> <c>NAME_scale</c>, the rest as float32. ALBERT's shared
/// layer is one set of tensors, so it is quantized and stored once however many layers use it. Weight bits: 7 (the
/// default: q in [−64, 64], which the AVX2 pair kernel needs, D41) or 8 (q in [−127, 127]).
/// </summary>
public static class Int8Quantizer
{
    /// <summary>The default weight range: 7 bits (D41).</summary>
    public const int DefaultWeightBits = 7;

    /// <summary>Largest |q| for <paramref name="weightBits"/> (7 or 8).</summary>
    public static int WeightMax(int weightBits) => weightBits switch
    {
        7 => QuantizedMatrix.ReducedQMax,
        8 => QuantizedMatrix.QMax,
        _ => throw new ArgumentOutOfRangeException(nameof(weightBits), $"weight bits must be 7 or 8 (found {weightBits})"),
    };

    /// <summary>The quantized checkpoint's tensors; <paramref name="quantized"/> counts the int8 ones.</summary>
    public static List<SafeTensorsWriter.RawTensor> Quantize(AlbertCheckpoint checkpoint, out int quantized, int weightBits = DefaultWeightBits)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        int weightMax = WeightMax(weightBits);
        if (checkpoint.IsQuantized)
            throw new ArgumentException($"{checkpoint.Path}: this checkpoint is already int8");
        var list = new List<SafeTensorsWriter.RawTensor>();
        quantized = 0;
        foreach (var spec in checkpoint.Specs)
        {
            var data = checkpoint.Get(spec.Name);
            if (Int8Weights.IsQuantizable(spec.Name) && spec.Shape.Length == 2)
            {
                var (q, scales) = QuantizedMatrix.Quantize(data.Span, spec.Shape[0], spec.Shape[1], weightMax);
                list.Add(new(spec.Name, Int8Weights.DType, spec.Shape, MemoryMarshal.AsBytes(q.AsSpan()).ToArray()));
                list.Add(new(spec.Name + Int8Weights.ScaleSuffix, "F32", [spec.Shape[0]], MemoryMarshal.AsBytes(scales.AsSpan()).ToArray()));
                quantized++;
            }
            else
            {
                list.Add(new(spec.Name, "F32", spec.Shape, MemoryMarshal.AsBytes(data.Span).ToArray()));
            }
        }
        return list;
    }

    /// <summary>Quantizes <paramref name="checkpoint"/> into a safetensors file at <paramref name="path"/> (written atomically); returns the int8 tensor count.</summary>
    public static int Write(AlbertCheckpoint checkpoint, string path, int weightBits = DefaultWeightBits)
    {
        var tensors = Quantize(checkpoint, out int quantized, weightBits);
        SafeTensorsWriter.WriteRaw(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["quantization"] = Int8Weights.Method });
        return quantized;
    }
}
