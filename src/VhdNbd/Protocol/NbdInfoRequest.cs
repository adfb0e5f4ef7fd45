namespace Storage.VhdNbd.Protocol;

/// <summary>The data of NBD_OPT_INFO and NBD_OPT_GO: an export name and the information items asked for.</summary>
/// <param name="Name">The export's name ("" for the default export).</param>
/// <param name="WantsName">NBD_INFO_NAME was asked for.</param>
/// <param name="WantsDescription">NBD_INFO_DESCRIPTION was asked for.</param>
/// <param name="WantsBlockSize">NBD_INFO_BLOCK_SIZE was asked for.</param>
internal readonly record struct NbdInfoRequest(string Name, bool WantsName, bool WantsDescription, bool WantsBlockSize);
