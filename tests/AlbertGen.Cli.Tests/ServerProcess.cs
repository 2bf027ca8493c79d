using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AlbertGen.Cli.Tests;

/// <summary>
/// <c>albertgen serve --port 0</c> in a child process (as a user runs it): waits for the "listening on URL" line on
/// stdout, gives an <see cref="HttpClient"/> for that URL, and can send SIGTERM.
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    readonly Process _process;
    readonly Task<string> _stderr;

    public Uri Url { get; }
    public HttpClient Client { get; }

    public ServerProcess(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "albertgen.dll"));
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add("0");
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _stderr = _process.StandardError.ReadToEndAsync();
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(90)) || line.Result is null || !line.Result.Contains("listening on "))
        {
            Kill();
            throw new InvalidOperationException($"albertgen serve did not start: {line.Result} {_stderr.Result}");
        }
        Url = new Uri(line.Result[(line.Result.IndexOf("listening on ", StringComparison.Ordinal) + "listening on ".Length)..].Trim());
        Client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        _ = _process.StandardOutput.ReadToEndAsync();
    }

    public string Stderr => _process.HasExited ? _stderr.Result : "";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    /// <summary>Sends SIGTERM, as a container runtime or systemd does.</summary>
    public void Terminate() => Assert.Equal(0, SysKill(_process.Id, 15));

    /// <summary>The exit code, or null when it has not exited within <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) ? _process.ExitCode : null;

    void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        Client?.Dispose();
        Kill();
        _process.Dispose();
    }
}
