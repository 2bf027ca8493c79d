using System.Diagnostics;

namespace AlbertGen.Packages.Tests;

/// <summary>Runs <c>dotnet</c> (or another command) in a child process and returns its output.</summary>
public static class Dotnet
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs <c>dotnet args…</c> in <paramref name="workingDirectory"/>; fails the test unless it exits 0.</summary>
    public static string Run(string workingDirectory, params string[] args)
    {
        var r = TryRun(workingDirectory, args);
        Assert.True(r.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {r.ExitCode}:\n{r.Output}");
        return r.Output;
    }

    /// <summary>Runs <c>dotnet args…</c> and returns the exit code with stdout and stderr together.</summary>
    public static Result TryRun(string workingDirectory, params string[] args) => Exec("dotnet", workingDirectory, args);

    /// <summary>Runs <paramref name="file"/> (one build node, no lingering build servers: the machine is shared).</summary>
    public static Result Exec(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (file == "dotnet" && args.Length > 0 && args[0] is "pack" or "build" or "publish")
        {
            psi.ArgumentList.Add("-m:1");
            psi.ArgumentList.Add("--disable-build-servers");
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} timed out");
        }
        return new Result(p.ExitCode, stdout.Result + stderr.Result);
    }
}
