using System.Text.Json;

namespace Storage.Tests.Interop.Infrastructure;

/// <summary>What libvhdi (through pyvhdi) says about an image.</summary>
public sealed record LibvhdiView(long MediaSize, string Sha256, string Identifier, string? ParentIdentifier, string? ParentFilename, int DiskType, string Output);

/// <summary>Reads images with libvhdi through a small python script run by /usr/bin/python3.</summary>
public static class Libvhdi
{
    private const string Script = """
import sys, json, hashlib, pyvhdi
chunk = int(sys.argv[1])
paths = sys.argv[2:]            # image first, then its parents nearest first
files = []
for p in reversed(paths):        # open the farthest ancestor first
    f = pyvhdi.file()
    f.open(p)
    if files:
        f.set_parent(files[-1])
    files.append(f)
f = files[-1]
size = f.get_media_size()
h = hashlib.sha256()
f.seek(0)
done = 0
while done < size:
    n = min(chunk, size - done)
    b = f.read(n)
    if len(b) != n:
        raise SystemExit("short read at %d: %d of %d bytes" % (done, len(b), n))
    h.update(b)
    done += n
def opt(fn):
    try:
        v = fn()
        return None if v is None else str(v)
    except Exception as e:
        return None
print(json.dumps({"size": size, "sha256": h.hexdigest(), "id": str(f.get_identifier()),
                  "parent_id": opt(f.get_parent_identifier), "parent_name": opt(f.get_parent_filename),
                  "disk_type": f.get_disk_type()}))
""";

    /// <summary>Opens <paramref name="image"/> (with its <paramref name="parents"/>, nearest first) and hashes the media.</summary>
    public static LibvhdiView Read(string image, params string[] parents) => Read(4 << 20, image, parents);

    /// <summary>
    /// As <see cref="Read(string, string[])"/>, reading <paramref name="chunk"/> bytes at a time.
    /// libvhdi 20210425 misreads a differencing image when one read spans two blocks (the second
    /// block reads from the parent although its bitmap says otherwise): read differencing
    /// images one block at a time.
    /// </summary>
    public static LibvhdiView Read(int chunk, string image, params string[] parents)
    {
        var args = new List<string> { chunk.ToString(System.Globalization.CultureInfo.InvariantCulture), image };
        args.AddRange(parents);
        var r = Tools.Python(Script, [.. args]);
        if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException($"pyvhdi failed on {image}:\n{r}");
        string line = r.StdOut.Trim().Split('\n')[^1];
        using var doc = JsonDocument.Parse(line);
        var e = doc.RootElement;
        return new LibvhdiView(
            e.GetProperty("size").GetInt64(),
            e.GetProperty("sha256").GetString()!,
            e.GetProperty("id").GetString()!,
            e.GetProperty("parent_id").GetString(),
            e.GetProperty("parent_name").GetString(),
            e.GetProperty("disk_type").GetInt32(),
            r.ToString());
    }
}
