using Xunit;

namespace Storage.Tests.Engine.Support;

/// <summary>
/// Test classes that start child processes run alone: between fork and exec a child holds a copy of
/// every descriptor of the test host, and so keeps the OFD locks of an image another test has just
/// closed, and that test's next open of it is refused.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessCollection
{
    public const string Name = "Child processes";
}
