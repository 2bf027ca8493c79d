using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AlbertGen.Generators.Model;

/// <summary>
/// A place in a config file as plain values (pipeline models never hold <see cref="Location"/>, which would keep
/// the previous compilation alive and defeat caching). Lines and columns are zero-based, as Roslyn's.
/// </summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public Location ToLocation() =>
        Location.Create(FilePath, new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
}
