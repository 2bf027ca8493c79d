namespace AlbertGen.Model;

/// <summary>Invalid model input (ids out of range, over-long sequences, ragged rows, wrong label shapes...).</summary>
public sealed class AlbertInputException(string message, Exception? inner = null) : Exception(message, inner);
