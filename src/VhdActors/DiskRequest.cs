namespace Storage.VhdActors;

/// <summary>
/// A read, write or allocation query on an open disk, as <see cref="VhdStorageOptions.TraceRequests"/>
/// sees it before deciding whether the request gets its spans.
/// </summary>
/// <param name="Operation">The span it would get: "vhd.read", "vhd.write" or "vhd.allocation".</param>
/// <param name="ImagePath">Full path of the image.</param>
/// <param name="Offset">Byte offset on the virtual disk.</param>
/// <param name="Length">Bytes read, written or queried.</param>
public readonly record struct DiskRequest(string Operation, string ImagePath, long Offset, long Length);
