using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Graph.Run;

/// <summary>
/// run-manifest.json in the output folder: inputs, per-video status (done / failed with the reason /
/// skipped), counts, timings, versions and the effective configuration. Rewritten atomically after
/// every video, so an interrupted run leaves an accurate record of what it finished.
/// </summary>
public sealed class RunManifest
{
    /// <summary>Every manifest's file name matches this: run-manifest.json, and those of shards and workers.</summary>
    public const string FilePattern = "run-manifest*.json";

    public string RunId { get; set; } = "";

    public DateTimeOffset Started { get; set; }

    public DateTimeOffset? Finished { get; set; }

    public string Status { get; set; } = "running";

    public Dictionary<string, string> Versions { get; set; } = [];

    public Dictionary<string, object?> Configuration { get; set; } = [];

    public List<string> Inputs { get; set; } = [];

    public List<VideoEntry> Videos { get; set; } = [];

    public Totals Summary { get; set; } = new();

    public sealed class VideoEntry
    {
        public string Id { get; set; } = "";

        public string Uri { get; set; } = "";

        public string Status { get; set; } = "pending";

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Reason { get; set; }

        public long Frames { get; set; }

        public long UndecodableFrames { get; set; }

        public int Tracks { get; set; }

        public long Rows { get; set; }

        public double Seconds { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Output { get; set; }
    }

    public sealed class Totals
    {
        public int Videos { get; set; }

        public int Done { get; set; }

        public int Failed { get; set; }

        public int Skipped { get; set; }

        public long Frames { get; set; }

        public long Rows { get; set; }

        public int Tracks { get; set; }

        public double Seconds { get; set; }

        public double FramesPerSecond { get; set; }
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Write(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static RunManifest Read(string path) => JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: empty run manifest");
}
