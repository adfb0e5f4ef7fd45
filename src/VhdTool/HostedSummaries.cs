namespace Storage.VhdTool;

/// <summary>
/// The `vhd --help` lines of the commands that host an ActorSystem, in both builds: the JIT build's
/// commands (Hosted/) and the native build's placeholders that hand them on (Native/Companion).
/// </summary>
internal static class HostedSummaries
{
    public const string Bench = "measure requests/s and latency through the actor facade (like qemu-img bench)";

    public const string Serve = "serve every image under a directory over NBD (nbd://HOST:PORT/NAME) until SIGTERM or Ctrl-C";
}
