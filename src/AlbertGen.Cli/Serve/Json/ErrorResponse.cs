namespace AlbertGen.Cli.Serve.Json;

/// <summary>Every error answer: <c>{"error": "...", "error_type": "Validation"}</c> (TEI's shape).</summary>
internal sealed record ErrorResponse(string Error, string ErrorType);
