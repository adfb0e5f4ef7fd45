using System.Diagnostics;
using Storage.VhdTool;

namespace Storage.Tests.Tool;

/// <summary>Runs the tool in-process (Program.Run) or as the built executable.</summary>
public static class Vhd
{
    public static ToolResult Run(params string[] args) => RunWithInput([], args);

    public static ToolResult RunWithInput(byte[] stdin, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var bytes = new MemoryStream();
        int code = Program.Run(args, o, e, new MemoryStream(stdin), bytes);
        return new ToolResult(code, o.ToString(), e.ToString(), bytes.ToArray());
    }

    public static ToolResult Ok(params string[] args)
    {
        var r = Run(args);
        Xunit.Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>The apphost built next to the tests (the tool project is referenced), or `dotnet vhd.dll`.</summary>
    public static ToolResult Exec(byte[]? stdin, params string[] args) => Exec(stdin, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Exec(byte[], string[])"/>, with extra environment variables.</summary>
    public static ToolResult Exec(byte[]? stdin, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = StartInfo(args);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        try
        {
            if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // It stopped reading (a refusal before any input was read): its exit code says why.
        }
        copy.Wait();
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException("vhd did not exit"); }
        var bytes = output.ToArray();
        return new ToolResult(p.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), err.Result, bytes);
    }

    /// <summary>How to start the built tool with <paramref name="args"/>, every stream redirected.</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        string dir = AppContext.BaseDirectory;
        string host = Path.Combine(dir, OperatingSystem.IsWindows() ? "vhd.exe" : "vhd");
        var psi = File.Exists(host) ? new ProcessStartInfo(host) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(dir, "vhd.dll") } };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        return psi;
    }
}
