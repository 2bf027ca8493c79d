using System.Globalization;
using System.Text;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tokenization;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// The CLI's error contract, for every verb (README, D22): errors a user can cause (bad files, bad input, bad
/// arguments) → one line on stderr, exit <see cref="BadInput"/>; failing to read or write a file (a full disk, no
/// permission) → one line, exit <see cref="IoError"/>. The line never carries a stack trace, a line break or a raw
/// control character (they are escaped). Anything else is a bug and keeps .NET's report.
/// </summary>
internal static class CliErrors
{
    public const int BadInput = 2;
    public const int IoError = 3;

    public static int Guard(Func<int> body) => Guard(body, Console.Error);

    public static int Guard(Func<int> body, TextWriter error)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine("error: " + OneLine(e.Message));
            return BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine("error: " + OneLine(e.Message));
            return IoError;
        }
    }

    static bool IsUserError(Exception e) =>
        e is AlbertConfigException or AlbertInputException or AlbertWeightException or SafeTensorsException or CheckpointException or TokenizerException or Conversion.OnnxException
            or FileNotFoundException or DirectoryNotFoundException or PathTooLongException or ArgumentException or InvalidDataException;

    /// <summary>The message on one line: line breaks, tabs and other control characters written as escapes (<c>\n</c>, <c>\u001B</c>).</summary>
    public static string OneLine(string message)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < message.Length; i++)
        {
            char c = message[i];
            bool control = char.IsControl(c) || c is '\u2028' or '\u2029';
            if (!control)
            {
                sb?.Append(c);
                continue;
            }
            sb ??= new StringBuilder(message, 0, i, message.Length + 16);
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }
        return sb?.ToString() ?? message;
    }

    /// <summary>
    /// Refuses an output path that is one of the inputs (the model's own weights, its config, the inputs file): the
    /// write would replace what is being read. Compares full paths with symbolic links resolved.
    /// </summary>
    public static void CheckOutputIsNotAnInput(string option, string output, IEnumerable<string> inputs)
    {
        string target = Canonical(output);
        foreach (var input in inputs)
        {
            if (File.Exists(input) && string.Equals(Canonical(input), target, StringComparison.Ordinal))
                throw new ArgumentException($"{option} {output} is one of the inputs ({input}); writing it would replace what is being read");
        }
    }

    /// <summary>The files a model folder is read from.</summary>
    public static IEnumerable<string> ModelFiles(string modelDirectory) =>
        new[] { "config.json", "albert_config.json", CheckpointFiles.SafeTensorsName, CheckpointFiles.PyTorchBinName }.Concat(AlbertTokenizer.FileNames)
            .Select(f => Path.Combine(modelDirectory, f));

    static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            var dir = Path.GetDirectoryName(full);
            if (dir is not null && new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true) is { } d)
                full = Path.Combine(d.FullName, Path.GetFileName(full));
            if (new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } f)
                full = f.FullName;
        }
        catch (IOException)
        {
            // a dangling or looping link: compare the path as written
        }
        return full;
    }
}
