namespace Storage.CrashTesting;

/// <summary>
/// One <see cref="Storage.VhdActors.IDisk.WriteAsync"/> the workload started before a crash point, as
/// <see cref="CrashRecoveryContext.Writes"/> reports it.
/// </summary>
/// <param name="Image">Full path of the image written.</param>
/// <param name="Offset">Virtual disk offset.</param>
/// <param name="Data">The bytes written.</param>
/// <param name="Durable">True when the write had returned and a flush of that image (a <c>FlushAsync</c>, or disposing its last handle) started after it and returned before the crash point: the store promised it would survive.</param>
public sealed record DiskWrite(string Image, long Offset, ReadOnlyMemory<byte> Data, bool Durable);
