using System.Diagnostics;

namespace Storage.Tests.Actors;

/// <summary>
/// Records the "vhd.*" spans of one image: how a request ran is visible from outside. An inline
/// request (under the actor's lease, on the caller's thread) makes one Internal span; a request sent
/// to the image's actor makes a Client span in the facade and a Server span in the actor.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<(string Name, ActivityKind Kind)> _spans = [];

    public SpanRecorder(string imagePath)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Storage.Vhd",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem("vhd.image"), imagePath))
                    lock (_spans) _spans.Add((a.OperationName, a.Kind));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Forgets what was recorded so far.</summary>
    public void Clear()
    {
        lock (_spans) _spans.Clear();
    }

    /// <summary>The kinds of the spans named <paramref name="name"/> recorded since the last <see cref="Clear"/>.</summary>
    public ActivityKind[] Kinds(string name)
    {
        lock (_spans) return [.. _spans.Where(s => s.Name == name).Select(s => s.Kind)];
    }

    /// <summary>True when every <paramref name="name"/> span since the last <see cref="Clear"/> ran inline (and there was one).</summary>
    public bool RanInline(string name) => Kinds(name) is { Length: > 0 } kinds && kinds.All(k => k == ActivityKind.Internal);

    /// <summary>True when every <paramref name="name"/> request since the last <see cref="Clear"/> went to the actor (and there was one).</summary>
    public bool WentToActor(string name) => Kinds(name) is { Length: > 0 } kinds && kinds.Contains(ActivityKind.Server) && !kinds.Contains(ActivityKind.Internal);

    public void Dispose() => _listener.Dispose();
}
