namespace Storage.Tests.Engine.Support;

/// <summary>The File of a <see cref="TestFs"/> without handles: a type of its own, since BlockFile remembers per type that handles are not supported.</summary>
internal sealed class StreamOnlyTestFile(TestFs fs) : TestFile(fs);
