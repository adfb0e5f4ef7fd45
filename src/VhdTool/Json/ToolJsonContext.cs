using System.Text.Json.Serialization;

namespace Storage.VhdTool.Json;

/// <summary>
/// The --json documents, serialized by System.Text.Json's source generator (no reflection, so
/// it works trimmed and ahead-of-time compiled): camelCase names, indented, nulls written.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(InfoJson))]
[JsonSerializable(typeof(CheckJson))]
[JsonSerializable(typeof(CrashSuiteJson))]
[JsonSerializable(typeof(BenchJson))]
[JsonSerializable(typeof(CompactJson))]
[JsonSerializable(typeof(ChainJson))]
[JsonSerializable(typeof(ResizeJson))]
internal sealed partial class ToolJsonContext : JsonSerializerContext
{
}
