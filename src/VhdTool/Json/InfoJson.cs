using System.Text.Json.Serialization;

namespace Storage.VhdTool.Json;

/// <summary>`vhd info --json`: footer, header and chain of one image. Null where the type has no such field.</summary>
internal sealed record InfoJson(
    string Path,
    string Type,
    long VirtualSize,
    ulong CurrentSize,
    ulong OriginalSize,
    int? BlockSize,
    long? AllocatedBlocks,
    long? MaxTableEntries,
    long FileSize,
    string CreatorApp,
    string CreatorVersion,
    string CreatorHostOs,
    string Timestamp,
    string UniqueId,
    GeometryJson Geometry,
    string Features,
    bool SavedState,
    string? Parent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ParentUniqueId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ParentName,
    IReadOnlyList<string> Chain,
    IReadOnlyList<string> Warnings);
