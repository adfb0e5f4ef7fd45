namespace Storage.VhdNbd;

/// <summary>One image served over NBD.</summary>
/// <param name="Name">The export name clients ask for: the image's path relative to the served directory, '/' separated.</param>
/// <param name="ImagePath">Full path of the image file, as the <see cref="VhdActors.IDiskStore"/> opens it.</param>
/// <param name="Size">Virtual size in bytes.</param>
/// <param name="ReadOnly">Served read-only: clients are told so and every write is refused.</param>
/// <param name="Description">A line for humans (NBD_INFO_DESCRIPTION), e.g. the parents of a differencing image.</param>
public sealed record NbdExport(string Name, string ImagePath, long Size, bool ReadOnly, string Description = "");
