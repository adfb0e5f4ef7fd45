using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>Test hook: the actor replies with its <see cref="VirtualDisk"/> (never send it across threads otherwise).</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="TraceContext">Unused.</param>
/// <param name="Cancellation">Unused.</param>
internal sealed record InspectImage(string Path, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
