namespace AlbertGen.Cli.Tests;

/// <summary>One <c>albertgen serve</c> (embedded default models, a small queue) shared by the tests of <see cref="ServeTests"/>.</summary>
public sealed class ServeFixture : IDisposable
{
    public const int MaxQueue = 32;
    public const int MaxInputs = 64;
    public const int MaxBodyBytes = 64 * 1024;

    public ServerProcess Server { get; } = new("--max-queue", MaxQueue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--max-inputs", MaxInputs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--max-body-bytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => Server.Dispose();
}
