using Akka.Configuration;

namespace Storage.VhdActors;

/// <summary>The library's default HOCON (embedded <c>vhd-actors.conf</c>): the I/O dispatcher.</summary>
internal static class VhdActorsConfig
{
    /// <summary>Name of the dispatcher image actors run on by default.</summary>
    public const string DispatcherName = "vhd-io-dispatcher";

    private static readonly Lazy<Config> Lazy = new(() =>
    {
        using var stream = typeof(VhdActorsConfig).Assembly.GetManifestResourceStream("Storage.VhdActors.vhd-actors.conf")
            ?? throw new InvalidOperationException("the embedded vhd-actors.conf is missing from Storage.VhdActors");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>The defaults; use them as a fallback under the application's config.</summary>
    public static Config Default => Lazy.Value;
}
