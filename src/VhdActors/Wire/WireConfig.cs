using Akka.Configuration;

namespace Storage.VhdActors.Wire;

/// <summary>The HOCON that registers <see cref="ImageMessageSerializer"/> and binds every wire type to it.</summary>
internal static class WireConfig
{
    private const string Name = "vhd-image";

    private static readonly Lazy<Config> Lazy = new(() =>
    {
        var hocon = new System.Text.StringBuilder();
        string serializer = TypeName(typeof(ImageMessageSerializer));
        hocon.Append($"akka.actor.serializers.{Name} = \"{serializer}\"\n");
        hocon.Append($"akka.actor.serialization-identifiers {{ \"{serializer}\" = {ImageMessageSerializer.Id} }}\n");
        hocon.Append("akka.actor.serialization-bindings {\n");
        foreach (var type in ImageMessageSerializer.Types) hocon.Append($"  \"{TypeName(type)}\" = {Name}\n");
        hocon.Append("}\n");
        return ConfigurationFactory.ParseString(hocon.ToString());
    });

    public static Config Config => Lazy.Value;

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
