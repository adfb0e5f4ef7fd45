namespace Storage.Samples.EmbeddedService;

/// <summary>Where the sample puts its images.</summary>
/// <param name="Directory">A directory the sample may create files in.</param>
public sealed record SampleSettings(string Directory);
