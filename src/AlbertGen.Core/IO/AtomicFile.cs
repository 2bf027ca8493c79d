using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AlbertGen.IO;

/// <summary>
/// Writes a file atomically: into a temporary file beside the target, flushed to disk, then renamed over it, so a
/// reader (or a kill -9) never leaves a half-written target. On failure (a full disk, a bad path) the temporary file is
/// deleted and the exception propagates. Temporary names are <c>.NAME.PID.RANDOM.tmp</c> with NAME cut so the whole
/// name stays within <see cref="MaxFileNameBytes"/> UTF-8 bytes (every legal target name gets a legal temporary name);
/// <see cref="DeleteOrphans"/> removes those a killed process left behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>The longest file name (one path component) Linux and macOS file systems accept, in bytes.</summary>
    public const int MaxFileNameBytes = 255;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> (which gets the temporary file's stream).</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = TempPathFor(full);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes UTF-8 text (no byte order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>Copies the file <paramref name="from"/> to <paramref name="to"/> atomically (its folder is created).</summary>
    public static void Copy(string from, string to)
    {
        using var source = File.OpenRead(from);
        Write(to, source.CopyTo);
    }

    /// <summary>A fresh temporary path beside <paramref name="fullPath"/>, its name within <see cref="MaxFileNameBytes"/> bytes.</summary>
    public static string TempPathFor(string fullPath)
    {
        string dir = Path.GetDirectoryName(fullPath)!;
        string suffix = "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8] + TempExtension;
        string name = CutUtf8(Path.GetFileName(fullPath), MaxFileNameBytes - 1 - Encoding.UTF8.GetByteCount(suffix));
        return Path.Combine(dir, "." + name + suffix);
    }

    /// <summary>The extension every temporary file of ours ends in.</summary>
    public const string TempExtension = ".tmp";

    /// <summary>
    /// Deletes temporary files of ours in <paramref name="directory"/> (not below it) whose writing process is gone (a
    /// kill during a write); returns how many. Files of running processes are left alone.
    /// </summary>
    public static int DeleteOrphans(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int deleted = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "." + "*" + TempExtension))
        {
            // .NAME.PID.RANDOM.tmp: the pid is the second-to-last dotted part before the extension
            string name = Path.GetFileName(file)[..^TempExtension.Length];
            int randomDot = name.LastIndexOf('.');
            int pidDot = randomDot > 0 ? name.LastIndexOf('.', randomDot - 1) : -1;
            if (pidDot <= 0 || !int.TryParse(name.AsSpan(pidDot + 1, randomDot - pidDot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            if (pid == Environment.ProcessId || IsRunning(pid))
                continue; // a write in progress (ours on another thread, or another process's)
            if (TryDelete(file)) deleted++;
        }
        return deleted;
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The longest prefix of <paramref name="s"/> within <paramref name="maxBytes"/> UTF-8 bytes, never splitting a character.</summary>
    static string CutUtf8(string s, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(s) <= maxBytes) return s;
        int bytes = 0, i = 0;
        while (i < s.Length)
        {
            int len = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
            int b = Encoding.UTF8.GetByteCount(s.AsSpan(i, len));
            if (bytes + b > maxBytes) break;
            bytes += b;
            i += len;
        }
        return s[..i];
    }
}
