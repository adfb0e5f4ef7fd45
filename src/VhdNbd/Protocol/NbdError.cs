namespace Storage.VhdNbd.Protocol;

/// <summary>The error values a reply may carry (errno numbers, as the protocol fixes them).</summary>
internal enum NbdError : uint
{
    None = 0,
    Permission = 1,
    Io = 5,
    NoMemory = 12,
    Invalid = 22,
    NoSpace = 28,
    Overflow = 75,
    NotSupported = 95,
    Shutdown = 108,
}
