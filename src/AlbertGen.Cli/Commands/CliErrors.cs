using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Cli.Commands;

/// <summary>Runs a verb's body and turns the errors a user can cause into one clear line on stderr and exit code 2.</summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is AlbertConfigException or AlbertInputException or AlbertWeightException or SafeTensorsException or CheckpointException
                                      or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
