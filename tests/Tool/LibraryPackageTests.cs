using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// The libraries as a user gets them: `dotnet pack` of the build the tests run (--no-build) into a
/// local folder, each package carrying its metadata, readme and symbols; then a small consumer
/// project, outside the repository (none of its props apply) and with TreatWarningsAsErrors,
/// restores them from that folder (with its own NuGet cache, so no earlier package can stand in),
/// builds, and runs: it creates, writes, flushes, reads and checks an image through the engine's
/// public API on the fault-injecting file system.
/// </summary>
public sealed class LibraryPackageTests : IDisposable
{
    /// <summary>The libraries a consumer can take today without NU1603 (see README "Decisions").</summary>
    private static readonly string[] Libraries = ["VhdEngine", "FaultInjection"];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Packed_libraries_carry_metadata_and_a_consumer_builds_against_them_with_warnings_as_errors()
    {
        string root = Sample.RepositoryRoot;
        string configuration = PackageCli.Configuration;
        string feed = _dir["feed"];
        foreach (string library in Libraries)
        {
            Dotnet(root, "pack", Path.Combine(root, "src", library, library + ".csproj"), "-c", configuration, "--no-build", "-o", feed, "-nologo");
            CheckPackage(Path.Combine(feed, $"Storage.{library}.1.0.0.nupkg"), $"Storage.{library}");
            CheckSymbols(Path.Combine(feed, $"Storage.{library}.1.0.0.snupkg"), $"Storage.{library}");
        }

        string consumer = _dir["consumer"];
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="storage-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestoreFallbackFolders>{GlobalPackages()}</RestoreFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Storage.VhdEngine" Version="1.0.0" />
                <PackageReference Include="Storage.FaultInjection" Version="1.0.0" />
                <PackageReference Include="TestableIO.System.IO.Abstractions.TestingHelpers" Version="23.0.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using System.IO.Abstractions.TestingHelpers;
            using Storage.FaultInjection;
            using Storage.VhdEngine;
            using Storage.VhdEngine.Disks;
            using Storage.VhdEngine.Maintenance;

            var fs = new FaultFileSystem(new MockFileSystem());
            fs.Directory.CreateDirectory("/images");
            using (var disk = VirtualDisk.Create(fs, "/images/a.vhd", new VhdCreateOptions { Size = 8 << 20, ExactSize = true }))
            {
                disk.Write(4096, "hello"u8);
                disk.Flush();
            }
            var buffer = new byte[5];
            using (var disk = VirtualDisk.Open(fs, "/images/a.vhd"))
            {
                disk.Read(4096, buffer);
                Console.WriteLine($"{disk.Info.DiskType} {disk.Length} {System.Text.Encoding.ASCII.GetString(buffer)}");
            }
            Console.WriteLine(VhdMaintenance.Check(fs, "/images/a.vhd").IsClean ? "clean" : "damaged");
            try { VirtualDisk.Open(fs, "/images/none.vhd"); }
            catch (FileNotFoundException e) { Console.WriteLine(e.Message); }
            catch (VhdException e) { Console.WriteLine("unexpected: " + e.Message); }
            """);
        Dotnet(consumer, "build", "-c", "Release", "-nologo", "-v", "q");
        string output = Dotnet(consumer, "run", "-c", "Release", "--no-build");
        Assert.Equal("Dynamic 8388608 hello\nclean\n/images/none.vhd: no such image file\n", output.Replace("\r", ""));
    }

    /// <summary>The nuspec says what issue 13 asks: id, description, MIT, project and repository URLs (with the commit), readme, tags.</summary>
    private static void CheckPackage(string package, string id)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var s = nuspecEntry.Open()) nuspec = XDocument.Load(s);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        Assert.Equal(id, Value("id"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")), $"{id}: no description");
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("https://github.com/storage-vhd/storage", Value("projectUrl"));
        Assert.Equal("README.md", Value("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value("tags")), $"{id}: no tags");
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("https://github.com/storage-vhd/storage", repository.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
        Assert.Contains(zip.Entries, e => e.FullName.EndsWith($"/{id}.xml", StringComparison.Ordinal)); // XML docs
    }

    /// <summary>The symbols package holds the pdb, and its Source Link maps the sources to the repository at the commit.</summary>
    private static void CheckSymbols(string snupkg, string id)
    {
        Assert.True(File.Exists(snupkg), $"no symbols package for {id}");
        using var zip = ZipFile.OpenRead(snupkg);
        var pdb = Assert.Single(zip.Entries, e => e.FullName.EndsWith($"/{id}.pdb", StringComparison.Ordinal));
        using var s = pdb.Open();
        using var bytes = new MemoryStream();
        s.CopyTo(bytes);
        Assert.Contains("https://raw.githubusercontent.com/storage-vhd/storage/", System.Text.Encoding.UTF8.GetString(bytes.ToArray()));
    }

    private static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private string Dotnet(string workingDirectory, params string[] args) => PackageCli.Run(_dir["nuget-cache"], workingDirectory, "dotnet", args);
}
