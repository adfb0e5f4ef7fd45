using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// The part of a forced commit that changes ids (DESIGN.md §10), ordered so that a crash at any
/// point leaves every image opening with the data it had or refusing cleanly, and a rerun completes:
/// <list type="number">
/// <item>the child's footer records the intent (old and new parent id); nothing reads it but us;</item>
/// <item>the parent's footer gets the new id: from now on every other child fails the parent-id
/// check, before any of the parent's data changes;</item>
/// <item>the child's header points at the new id: it opens again, reading what it read before
/// (the merge only writes sectors the child itself holds).</item>
/// </list>
/// Each step is one sector per footer or header (atomic), fsynced before the next; the merge
/// follows, and a kept child's intent is cleared last.
/// </summary>
internal static class ParentIdSwitch
{
    /// <summary>Runs the steps not done yet (a rerun finds them in <paramref name="recorded"/>).</summary>
    public static void Run(CommitFile child, CommitFile parent, CommitIntent? recorded, VhdOpenOptions options)
    {
        var intent = recorded ?? new CommitIntent(parent.Metadata.Footer.UniqueId, Guid.NewGuid());
        if (recorded is null)
        {
            child.WriteFooter(intent.WriteTo(child.Metadata.Footer));
            child.Reload(options);
        }
        if (parent.Metadata.Footer.UniqueId != intent.NewParentId)
        {
            parent.WriteFooter((parent.Metadata.Footer with { UniqueId = intent.NewParentId }).WithChecksum());
            parent.Reload(options);
        }
        var header = child.Metadata.Header!;
        if (header.ParentUniqueId != intent.NewParentId)
        {
            child.WriteHeaderFirstSector((header with { ParentUniqueId = intent.NewParentId }).WithChecksum());
            child.Reload(options);
        }
    }

    /// <summary>A kept child's last step: the intent is removed, the commit is done.</summary>
    public static void Finish(CommitFile child, VhdOpenOptions options)
    {
        child.Reload(options);
        if (CommitIntent.Read(child.Metadata.Footer) is null) return;
        child.WriteFooter(CommitIntent.Clear(child.Metadata.Footer));
    }
}
