using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// Tests that set process environment variables (the tool reads OTEL_* from the environment).
/// xunit runs non-parallel collections after all the parallel ones, one test at a time, so no
/// other in-process run of the tool sees these variables.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}
