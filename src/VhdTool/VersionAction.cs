using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Storage.VhdTool;

/// <summary>`vhd --version`: "vhd 1.2.3" (the informational version without the commit suffix).</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    /// <summary>The tool's version, e.g. 1.0.0.</summary>
    public static string Version
    {
        get
        {
            var assembly = typeof(VersionAction).Assembly;
            string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (v is null) return assembly.GetName().Version?.ToString() ?? "0.0.0";
            int plus = v.IndexOf('+');
            return plus < 0 ? v : v[..plus];
        }
    }

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine($"vhd {Version}");
        return 0;
    }
}
