using System.IO.Abstractions.TestingHelpers;
using Microsoft.Win32.SafeHandles;

namespace Storage.Tests.Engine.Support;

/// <summary><see cref="TestFs"/>'s File: MockFile, with <c>OpenHandle</c> answered by the file system.</summary>
internal class TestFile(TestFs fs) : MockFile(fs)
{
    public override SafeFileHandle OpenHandle(string path, FileMode mode = FileMode.Open, FileAccess access = FileAccess.Read, FileShare share = FileShare.Read, FileOptions options = FileOptions.None, long preallocationSize = 0) =>
        fs.OpenHandle(path, mode, access, share);
}
