namespace AlbertGen.Cpu;

/// <summary>
/// A unit of parallel work: <see cref="Execute"/> runs task <c>index</c> on worker <c>worker</c> (0 = the calling
/// thread). Jobs are long-lived objects whose fields are set before each run, so a forward allocates no delegates.
/// </summary>
internal interface IParallelJob
{
    void Execute(int index, int worker);
}
