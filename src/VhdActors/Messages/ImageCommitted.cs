namespace Storage.VhdActors.Messages;

/// <summary>Reply to <see cref="CommitImage"/>.</summary>
/// <param name="BytesCopied">Bytes copied from the child into the parent.</param>
internal sealed record ImageCommitted(long BytesCopied);
