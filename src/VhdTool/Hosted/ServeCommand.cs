using System.CommandLine;
using System.Net;

namespace Storage.VhdTool.Hosted;

/// <summary>`vhd serve DIR [--listen HOST:PORT] [--read-only] [--cluster --node HOST:PORT [--seeds HOST:PORT,...] [--stable-after S] [--min-members N]]`: the options; <see cref="ServeRunner"/> does the serving.</summary>
internal static class ServeCommand
{
    public static Command Create(ToolContext tool)
    {
        var directory = ToolOptions.Path("DIR", "the directory served: every *.vhd and *.avhd under it, named by its path relative to it");
        var listen = new Option<IPEndPoint>("--listen")
        {
            Description = "address and port to listen on; port 0 picks a free one",
            HelpName = "HOST:PORT",
            DefaultValueFactory = result => ServeRunner.ParseListen(ServeRunner.DefaultListen, out string? _)!,
            CustomParser = r =>
            {
                var endpoint = ServeRunner.ParseListen(r.Tokens.Count == 1 ? r.Tokens[0].Value : "", out string? error);
                if (endpoint is null) r.AddError(error!);
                return endpoint!;
            },
        };
        var readOnly = new Option<bool>("--read-only") { Description = "serve every image read-only" };
        var cluster = new Option<bool>("--cluster") { Description = "serve as a node of a cluster: every image is owned by one node, and any node serves any image (DIR shared by the nodes, at the same path)" };
        var node = NodeOption("--node", "this node's cluster address, which the other nodes dial (with --cluster)");
        var seeds = new Option<IReadOnlyList<(string Host, int Port)>?>("--seeds")
        {
            Description = "the seed nodes to join, HOST:PORT[,...] (with --cluster; default: this node alone)",
            HelpName = "HOST:PORT[,...]",
            CustomParser = ParseSeeds,
        };
        var stableAfter = new Option<int>("--stable-after")
        {
            Description = "seconds the membership must be stable before the split brain resolver (keep-majority) downs unreachable nodes (with --cluster)",
            DefaultValueFactory = _ => 20,
        };
        var minMembers = new Option<int>("--min-members")
        {
            Description = "nodes whose shard regions must have registered before this node serves (with --cluster): start the nodes together and each takes its share of the images",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("serve", HostedSummaries.Serve) { directory, listen, readOnly, cluster, node, seeds, stableAfter, minMembers };
        command.Validators.Add(r => Validate(r, cluster, node, seeds, [stableAfter, minMembers]));
        command.SetAction(parse => ServeRunner.Run(tool.Env, parse.GetValue(directory)!, parse.GetValue(listen)!, parse.GetValue(readOnly),
            parse.GetValue(cluster) ? Cluster(parse.GetValue(node)!.Value, parse.GetValue(seeds), parse.GetValue(stableAfter), parse.GetValue(minMembers)) : null));
        return command;
    }

    private static Option<(string Host, int Port)?> NodeOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "HOST:PORT",
        CustomParser = r =>
        {
            var node = ClusterServeSettings.ParseNode(name, r.Tokens.Count == 1 ? r.Tokens[0].Value : "", out string? error);
            if (node is null) r.AddError(error!);
            return node;
        },
    };

    /// <summary>Every seed of the list, each checked once; the bad ones are the option's errors.</summary>
    private static IReadOnlyList<(string Host, int Port)> ParseSeeds(System.CommandLine.Parsing.ArgumentResult r)
    {
        var seeds = new List<(string Host, int Port)>();
        foreach (string seed in (r.Tokens.Count == 1 ? r.Tokens[0].Value : "").Split(',', StringSplitOptions.TrimEntries))
        {
            if (ClusterServeSettings.ParseNode("--seeds", seed, out string? error) is { } parsed) seeds.Add(parsed);
            else r.AddError(error!);
        }
        return seeds;
    }

    private static void Validate(System.CommandLine.Parsing.CommandResult r, Option<bool> cluster, Option<(string, int)?> node, Option seeds, Option<int>[] counts)
    {
        bool clustered = r.GetValue(cluster);
        if (clustered && r.GetResult(node) is null or { Implicit: true }) r.AddError("--cluster needs --node HOST:PORT (this node's cluster address)");
        if (!clustered && (r.GetResult(node) is { Implicit: false } || r.GetResult(seeds) is { Implicit: false } || counts.Any(o => r.GetResult(o) is { Implicit: false })))
            r.AddError("--node, --seeds, --stable-after and --min-members go with --cluster");
        foreach (var option in counts)
            if (r.GetResult(option) is { Implicit: false } && r.GetValue(option) is < 1 or > 3600)
                r.AddError($"bad value for {option.Name}: {r.GetValue(option)} (expected a number from 1 to 3600)");
    }

    private static ClusterServeSettings Cluster((string Host, int Port) node, IReadOnlyList<(string Host, int Port)>? seeds, int stableAfter, int minMembers) =>
        new(node.Host, node.Port, seeds ?? [], TimeSpan.FromSeconds(stableAfter), minMembers);
}
