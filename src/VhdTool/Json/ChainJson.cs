namespace Storage.VhdTool.Json;

/// <summary>`vhd chain --json`.</summary>
internal sealed record ChainJson(string Folder, IReadOnlyList<ChainImageJson> Images);

/// <summary>One image of `vhd chain --json`.</summary>
internal sealed record ChainImageJson(
    string Path, string? Type, long VirtualSize, long FileSize, long AllocatedBytes, string UniqueId,
    string? ParentPath, IReadOnlyList<string> Children, string? Problem);
