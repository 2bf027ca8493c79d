using System.Text;
using AlbertGen.IO;

namespace AlbertGen.Cli.Commands;

/// <summary>Writes a float32 C-order 2-D array in NumPy's .npy format (v1.0), atomically (<see cref="AtomicFile"/>: temp file + rename, the temp file removed on failure).</summary>
internal static class NpyWriter
{
    public static void Write(string path, IReadOnlyList<float[]> rows, int columns)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Count}, {columns}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        AtomicFile.Write(path, f =>
        {
            f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            f.Write(BitConverter.GetBytes((ushort)header.Length));
            f.Write(Encoding.ASCII.GetBytes(header));
            foreach (var row in rows)
                f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        });
    }
}
