using System.CommandLine;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>`vhd pull CHILD`: copies the parents' data into a differencing image so it stands alone, a dynamic image (qemu's stream).</summary>
internal static class PullCommand
{
    public static Command Create(ToolContext tool)
    {
        var child = ToolOptions.Path("CHILD", "the differencing image to make stand alone, in place");
        var command = new Command("pull", "copy the parents' data into a differencing image so that it stands alone") { child };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(child)!;
            long copied = ToolProgress.OverImage(tool.Env, tool.ShowProgress(parse), path, "pulling", p => VhdMaintenance.Pull(tool.Env.FileSystem, path, progress: p));
            tool.Env.Out.WriteLine($"{path}: {copied} bytes pulled from its parents; it is a dynamic image now");
            return 0;
        });
        return command;
    }
}
