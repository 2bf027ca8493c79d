using System.Text.Json.Serialization;

namespace AlbertGen.Cli.Serve.Json;

/// <summary>Source-generated serializers for every response (NativeAOT: no reflection); snake_case names as TEI and OpenAI.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(InfoResponse))]
[JsonSerializable(typeof(OpenAiEmbeddingsResponse))]
[JsonSerializable(typeof(float[][]))]
[JsonSerializable(typeof(LabelScoreJson[][]))]
[JsonSerializable(typeof(FillMaskJson[][][]))]
[JsonSerializable(typeof(TokenizeJson[]))]
internal sealed partial class ServeJsonContext : JsonSerializerContext;
