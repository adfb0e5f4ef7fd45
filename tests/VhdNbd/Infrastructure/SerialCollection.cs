using Xunit;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>Tests that listen to process-wide things (allocations, ActivitySource listeners) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
