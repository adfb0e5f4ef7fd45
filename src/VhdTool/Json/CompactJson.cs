namespace Storage.VhdTool.Json;

/// <summary>`vhd compact --json`.</summary>
internal sealed record CompactJson(string Path, long FileBytesBefore, long FileBytesAfter, long BytesReclaimed, int BlocksFreed, int BlocksMoved);
