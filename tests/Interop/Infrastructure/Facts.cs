using Xunit;

namespace Storage.Tests.Interop.Infrastructure;

internal static class Requirements
{
    public static string? Missing(bool qemu, bool libvhdi)
    {
        var reasons = new List<string>();
        if (qemu && !Tools.OnPath("qemu-img")) reasons.Add("qemu-img is not on PATH (install qemu-utils)");
        if (qemu && !Tools.OnPath("qemu-io")) reasons.Add("qemu-io is not on PATH (install qemu-utils)");
        if (libvhdi && Tools.LibvhdiUnavailableReason is { } why) reasons.Add(why + " (install libvhdi-utils and python3-libvhdi)");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }
}

/// <summary>A fact that needs qemu-img/qemu-io: skipped, with the reason shown, only when they are absent.</summary>
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute() { if (Requirements.Missing(qemu: true, libvhdi: false) is { } why) Skip = why; }
}

/// <summary>A theory that needs qemu-img/qemu-io: skipped, with the reason shown, only when they are absent.</summary>
public sealed class QemuTheoryAttribute : TheoryAttribute
{
    public QemuTheoryAttribute() { if (Requirements.Missing(qemu: true, libvhdi: false) is { } why) Skip = why; }
}

/// <summary>A fact that needs qemu-img and libvhdi (pyvhdi under /usr/bin/python3, vhdiinfo).</summary>
public sealed class QemuAndLibvhdiFactAttribute : FactAttribute
{
    public QemuAndLibvhdiFactAttribute() { if (Requirements.Missing(qemu: true, libvhdi: true) is { } why) Skip = why; }
}

/// <summary>A theory that needs qemu-img and libvhdi.</summary>
public sealed class QemuAndLibvhdiTheoryAttribute : TheoryAttribute
{
    public QemuAndLibvhdiTheoryAttribute() { if (Requirements.Missing(qemu: true, libvhdi: true) is { } why) Skip = why; }
}

/// <summary>A fact that needs libvhdi only.</summary>
public sealed class LibvhdiFactAttribute : FactAttribute
{
    public LibvhdiFactAttribute() { if (Requirements.Missing(qemu: false, libvhdi: true) is { } why) Skip = why; }
}
