using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary>Shared plumbing of the task verbs: model folder (or the embedded default), inputs from arguments or stdin, batching, progress.</summary>
internal static class TaskInputs
{
    public const int BatchSize = 16;

    /// <summary>The model folder: <paramref name="model"/>, else the default shipped next to the binary (models/<paramref name="defaultName"/>).</summary>
    public static string ModelDirectory(string? model, string defaultName)
    {
        if (model is not null) return model;
        try
        {
            return DefaultModels.Directory(defaultName);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DirectoryNotFoundException(e.Message.Replace("pass a model folder", "pass --model DIR", StringComparison.Ordinal), e);
        }
    }

    /// <summary>The texts: the arguments, or one per stdin line when there are none (empty lines skipped).</summary>
    public static IEnumerable<string> Texts(string[]? args)
    {
        if (args is { Length: > 0 })
        {
            foreach (var a in args) yield return a;
            yield break;
        }
        using var reader = new StreamReader(Console.OpenStandardInput(), new System.Text.UTF8Encoding(false, false));
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Trim().Length > 0) yield return line;
        }
    }

    /// <summary>Runs <paramref name="process"/> over chunks of <see cref="BatchSize"/> texts, with a progress count on a terminal's stderr.</summary>
    public static void InBatches(IEnumerable<string> texts, Action<IReadOnlyList<string>> process)
    {
        var chunk = new List<string>(BatchSize);
        int done = 0;
        bool progress = !Console.IsErrorRedirected;
        foreach (var t in texts)
        {
            chunk.Add(t);
            if (chunk.Count == BatchSize)
            {
                process(chunk);
                done += chunk.Count;
                chunk.Clear();
                if (progress) Console.Error.Write($"\r{done} inputs");
            }
        }
        if (chunk.Count > 0)
        {
            process(chunk);
            done += chunk.Count;
        }
        if (progress && done >= BatchSize) Console.Error.WriteLine($"\r{done} inputs");
    }
}
