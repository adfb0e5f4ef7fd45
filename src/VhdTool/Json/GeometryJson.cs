namespace Storage.VhdTool.Json;

/// <summary>The CHS geometry in `vhd info --json`.</summary>
internal sealed record GeometryJson(int Cylinders, int Heads, int SectorsPerTrack);
