using Storage.VhdEngine;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>How a failure of the store becomes an NBD error the client can act on.</summary>
internal static class NbdErrors
{
    private const int ENOSPC = 28, EDQUOT = 122, EFBIG = 27;

    /// <summary>
    /// ENOSPC for a full file system (EDQUOT and EFBIG too, as the protocol asks), EINVAL for a
    /// refused argument (ArgumentException: a range outside the disk), EIO for everything else (an I/O
    /// error, a store that did not answer in time). The message names the export, not the server's path.
    /// </summary>
    public static (NbdError Error, string Message) From(Exception e, NbdExport export)
    {
        var error = e switch
        {
            ArgumentException => NbdError.Invalid,
            _ when IsNoSpace(e) => NbdError.NoSpace,
            _ => NbdError.Io,
        };
        return (error, e.Message.Replace(export.ImagePath, export.Name, StringComparison.Ordinal));
    }

    private static bool IsNoSpace(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is IOException { HResult: ENOSPC or EDQUOT or EFBIG }) return true;
        return false;
    }
}
