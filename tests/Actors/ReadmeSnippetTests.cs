using System.Text.RegularExpressions;
using Xunit;

namespace Storage.Tests.Actors;

/// <summary>
/// The README's embedding code is the sample's (samples/EmbeddedService, built with the solution):
/// every <c>&lt;!-- snippet: FILE#NAME --&gt;</c> block must equal the region between
/// <c>// snippet: NAME</c> and <c>// end snippet</c> in FILE, so the README never shows code that
/// does not compile.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    [GeneratedRegex(@"<!-- snippet: (?<file>[^#\s]+)#(?<name>\S+) -->\s*```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex Snippet();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Storage.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Storage.sln not found above {AppContext.BaseDirectory}");
    }

    private static string Region(string file, string name)
    {
        var lines = File.ReadAllLines(file);
        int start = Array.FindIndex(lines, l => l.Trim() == $"// snippet: {name}");
        Assert.True(start >= 0, $"{file} has no '// snippet: {name}'");
        int end = Array.FindIndex(lines, start, l => l.Trim() == "// end snippet");
        Assert.True(end > start, $"{file}: snippet {name} has no '// end snippet'");
        var body = lines[(start + 1)..end];
        int indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [Fact]
    public void Every_readme_snippet_is_the_code_of_the_sample_it_names()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var snippets = Snippet().Matches(readme);
        Assert.True(snippets.Count >= 2, "the README's embedding section lost its snippets");
        foreach (Match m in snippets)
        {
            string file = Path.Combine(root, m.Groups["file"].Value);
            Assert.Equal(Region(file, m.Groups["name"].Value), m.Groups["code"].Value);
        }
    }
}
