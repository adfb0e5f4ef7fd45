namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>The `vhd` executable built next to the tests (the tool project is referenced).</summary>
public static class VhdExe
{
    public static string Host
    {
        get
        {
            string host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "vhd.exe" : "vhd");
            if (!File.Exists(host)) throw new FileNotFoundException($"the vhd tool was not built next to the tests: {host}");
            return host;
        }
    }

    public static CliResult Ok(params string[] args) => Cli.Ok(Host, args);
}
