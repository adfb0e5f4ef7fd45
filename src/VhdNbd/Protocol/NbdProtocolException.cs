namespace Storage.VhdNbd.Protocol;

/// <summary>
/// The client broke the protocol in a way that leaves no safe way to go on reading its stream (a
/// bad magic number, an oversized packet, unknown client flags): the server closes that connection,
/// and only that one.
/// </summary>
internal sealed class NbdProtocolException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> says what was wrong, with the value.</summary>
    public NbdProtocolException(string message) : base(message)
    {
    }
}
