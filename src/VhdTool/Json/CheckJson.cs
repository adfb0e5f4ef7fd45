namespace Storage.VhdTool.Json;

/// <summary>`vhd check --json` and `vhd repair --json`.</summary>
internal sealed record CheckJson(string Path, bool Clean, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, long LeakedBytes, long ReclaimableBytes);
