namespace AlbertGen.Cli.Serve.Json;

/// <summary>One input of POST /tokenize: ids, pieces and character offsets [start, end) (special tokens: [0, 0]).</summary>
internal sealed record TokenizeJson(int[] Ids, string[] Tokens, int[][] Offsets);
