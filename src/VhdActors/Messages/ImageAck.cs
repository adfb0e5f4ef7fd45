namespace Storage.VhdActors.Messages;

/// <summary>Reply to requests that return nothing but success: write, flush, close, hand-off.</summary>
internal sealed record ImageAck
{
    /// <summary>The one instance.</summary>
    public static readonly ImageAck Instance = new();

    private ImageAck() { }
}
