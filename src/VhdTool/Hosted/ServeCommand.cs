using System.CommandLine;
using System.Net;

namespace Storage.VhdTool.Hosted;

/// <summary>`vhd serve DIR [--listen HOST:PORT] [--read-only]`: the options; <see cref="ServeRunner"/> does the serving.</summary>
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
        var command = new Command("serve", HostedSummaries.Serve) { directory, listen, readOnly };
        command.SetAction(parse => ServeRunner.Run(tool.Env, parse.GetValue(directory)!, parse.GetValue(listen)!, parse.GetValue(readOnly)));
        return command;
    }
}
