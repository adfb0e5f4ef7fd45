namespace Storage.VhdActors.Messages;

/// <summary>Reply to <see cref="ReadImage"/>: the bytes read (a fresh array owned by the receiver).</summary>
/// <param name="Data">Exactly the requested number of bytes.</param>
internal sealed record ImageData(byte[] Data);
