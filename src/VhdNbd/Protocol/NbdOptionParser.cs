using System.Buffers.Binary;

namespace Storage.VhdNbd.Protocol;

/// <summary>
/// Parses the data of the options that carry structure. Each parser takes the whole option data
/// and answers false when it is syntactically invalid (lengths that overrun the data or leave bytes
/// over, strings that are not UTF-8): the server then replies NBD_REP_ERR_INVALID.
/// </summary>
internal static class NbdOptionParser
{
    /// <summary>NBD_OPT_INFO / NBD_OPT_GO: u32 name length, name, u16 item count, u16 items.</summary>
    public static bool TryParseInfoRequest(ReadOnlySpan<byte> data, out NbdInfoRequest request)
    {
        request = default;
        if (!TryReadString(ref data, out string? name) || data.Length < 2) return false;
        int count = BinaryPrimitives.ReadUInt16BigEndian(data);
        data = data[2..];
        if (data.Length != count * 2) return false;
        bool wantsName = false, wantsDescription = false, wantsBlockSize = false;
        for (int i = 0; i < count; i++)
        {
            switch ((NbdInfo)BinaryPrimitives.ReadUInt16BigEndian(data[(i * 2)..]))
            {
                case NbdInfo.Name: wantsName = true; break;
                case NbdInfo.Description: wantsDescription = true; break;
                case NbdInfo.BlockSize: wantsBlockSize = true; break;
                default: break; // NBD_INFO_EXPORT is always sent; unknown items are ignored
            }
        }
        request = new NbdInfoRequest(name, wantsName, wantsDescription, wantsBlockSize);
        return true;
    }

    /// <summary>
    /// NBD_OPT_LIST_META_CONTEXT / NBD_OPT_SET_META_CONTEXT: u32 name length, export name, u32 query
    /// count, then each query as u32 length and string. The queries are added to <paramref name="queries"/>.
    /// </summary>
    public static bool TryParseMetaContextRequest(ReadOnlySpan<byte> data, out string export, List<string> queries)
    {
        export = "";
        if (!TryReadString(ref data, out string? name) || data.Length < 4) return false;
        uint count = BinaryPrimitives.ReadUInt32BigEndian(data);
        data = data[4..];
        // Every query takes at least its 4-byte length: a count beyond that is a lie.
        if (count > data.Length / 4) return false;
        for (uint i = 0; i < count; i++)
        {
            if (!TryReadString(ref data, out string? query)) return false;
            queries.Add(query);
        }
        export = name;
        return data.IsEmpty;
    }

    /// <summary>A u32 length and that many bytes of UTF-8; advances <paramref name="data"/> past them.</summary>
    private static bool TryReadString(ref ReadOnlySpan<byte> data, out string text)
    {
        text = "";
        if (data.Length < 4) return false;
        uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (length > data.Length - 4) return false;
        if (!NbdStrings.TryDecode(data.Slice(4, (int)length), out string? decoded)) return false;
        text = decoded;
        data = data[(4 + (int)length)..];
        return true;
    }
}
