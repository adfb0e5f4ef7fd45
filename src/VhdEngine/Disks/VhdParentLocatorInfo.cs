namespace Storage.VhdEngine.Disks;

/// <summary>One parent locator of a differencing image's dynamic header: where a reader may find the parent.</summary>
/// <param name="PlatformCode">The locator's platform code as text: "W2ru" (relative Windows path), "W2ku" (absolute Windows path), "MacX" (file URL), or another code as stored.</param>
/// <param name="Location">The locator's data decoded (e.g. <c>.\parent.vhd</c>) for W2ru, W2ku and MacX; null for other codes.</param>
/// <param name="DataOffset">File offset of the locator's data.</param>
/// <param name="DataLength">Bytes of locator data.</param>
/// <param name="DataSpace">Bytes reserved for the data (the spec's sectors and Microsoft's bytes both read as bytes).</param>
public sealed record VhdParentLocatorInfo(string PlatformCode, string? Location, long DataOffset, long DataLength, long DataSpace);
