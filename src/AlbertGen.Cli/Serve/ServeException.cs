using Microsoft.AspNetCore.Http;

namespace AlbertGen.Cli.Serve;

/// <summary>A request the server refuses: the HTTP status and TEI's <c>error_type</c> (Validation, Overloaded, Unhealthy, …).</summary>
internal sealed class ServeException(int status, string errorType, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string ErrorType { get; } = errorType;

    public static ServeException Validation(string message) => new(StatusCodes.Status422UnprocessableEntity, "Validation", message);
}
