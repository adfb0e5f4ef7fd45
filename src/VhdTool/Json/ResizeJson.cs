namespace Storage.VhdTool.Json;

/// <summary>`vhd resize --json`.</summary>
internal sealed record ResizeJson(string Path, long OldSize, long NewSize);
