namespace AlbertGen.SafeTensors;

/// <summary>The safetensors element types we read (as float32) and write.</summary>
public enum SafeTensorsDType
{
    F32,
    F16,
    BF16,
    /// <summary>Any other dtype string the header names (I64, U8, F64, ...): listed, never read as floats.</summary>
    Other,
}

public static class SafeTensorsDTypes
{
    public static SafeTensorsDType Parse(string s) => s switch
    {
        "F32" => SafeTensorsDType.F32,
        "F16" => SafeTensorsDType.F16,
        "BF16" => SafeTensorsDType.BF16,
        _ => SafeTensorsDType.Other,
    };

    /// <summary>Element size in bytes of a safetensors dtype string, or 0 if unknown.</summary>
    public static int SizeOf(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };
}
