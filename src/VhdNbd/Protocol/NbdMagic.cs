namespace Storage.VhdNbd.Protocol;

/// <summary>The protocol's magic numbers (NBD protocol, doc/proto.md), all sent big-endian.</summary>
internal static class NbdMagic
{
    /// <summary>"NBDMAGIC": the first 8 bytes the server sends.</summary>
    public const ulong InitPassword = 0x4e42444d41474943;

    /// <summary>"IHAVEOPT": follows the password in newstyle, and starts every client option.</summary>
    public const ulong IHaveOpt = 0x49484156454F5054;

    /// <summary>Starts every option reply.</summary>
    public const ulong OptionReply = 0x3e889045565a9;

    /// <summary>Starts every transmission request.</summary>
    public const uint Request = 0x25609513;

    /// <summary>Starts a simple reply.</summary>
    public const uint SimpleReply = 0x67446698;

    /// <summary>Starts a structured reply chunk.</summary>
    public const uint StructuredReply = 0x668e33ef;
}
