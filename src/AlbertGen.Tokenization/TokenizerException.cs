namespace AlbertGen.Tokenization;

/// <summary>A tokenizer model or configuration could not be loaded, or an argument is invalid.</summary>
public sealed class TokenizerException : Exception
{
    public TokenizerException(string message)
        : base(message)
    {
    }

    public TokenizerException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
