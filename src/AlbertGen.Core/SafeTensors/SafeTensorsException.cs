namespace AlbertGen.SafeTensors;

/// <summary>A malformed or inconsistent safetensors file; the message names the file and, where one is at fault, the tensor.</summary>
public sealed class SafeTensorsException(string message, Exception? inner = null) : Exception(message, inner);
