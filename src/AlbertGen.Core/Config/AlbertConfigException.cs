namespace AlbertGen.Config;

/// <summary>An invalid ALBERT config: names the file and the key at fault.</summary>
public sealed class AlbertConfigException : Exception
{
    public AlbertConfigException(string source, string? key, string message, Exception? inner = null)
        : base(key is null ? $"{source}: {message}" : $"{source}: '{key}': {message}", inner)
    {
        Source = source;
        Key = key;
    }

    /// <summary>The config file (or a description of where the JSON came from).</summary>
    public new string Source { get; }

    /// <summary>The offending config key, when one is at fault.</summary>
    public string? Key { get; }
}
