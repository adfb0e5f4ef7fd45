using Xunit;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>A fact that runs real NBD clients: skipped, with the reason, only when scripts/setup.sh has not installed them.</summary>
public sealed class ClientFactAttribute : FactAttribute
{
    public ClientFactAttribute()
    {
        if (Cli.MissingClients.Value is { } why) Skip = why;
    }
}
