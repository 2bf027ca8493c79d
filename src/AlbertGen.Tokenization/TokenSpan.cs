namespace AlbertGen.Tokenization;

/// <summary>One token: its piece, id and span [Start, End) in the original text (UTF-16 chars).</summary>
public readonly record struct TokenSpan(string Piece, int Id, int Start, int End);
