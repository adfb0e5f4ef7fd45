using Microsoft.Extensions.Hosting;

namespace Storage.VhdTool.Hosted;

/// <summary>The cluster host's lifetime: no signal handling of its own (<see cref="ServeRunner"/> handles SIGTERM and Ctrl-C, and stops the host in order).</summary>
internal sealed class ServeHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
