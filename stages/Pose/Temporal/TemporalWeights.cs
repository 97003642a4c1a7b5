using Pipeline.Torch;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// A temporal head's weights as a safetensors file: its parameters under their module paths, and
/// metadata — <c>model</c>, <c>neighbours</c> (track, or key-copies for the δ = 0 control),
/// <c>backbone</c> (SHA-256 of the backbone graph it was trained on), the training command, the git
/// commit and the training's final numbers. Loading checks all of it against the head, so a missing,
/// truncated or mismatched file, or another model's, is one clear error naming the file and what to run.
/// </summary>
public static class TemporalWeights
{
    public const string ModelKey = "model";
    public const string NeighboursKey = "neighbours";
    public const string BackboneKey = "backbone";
    public const string CommandKey = "command";

    public static void Save(string path, TemporalHead head, IReadOnlyDictionary<string, string> metadata)
    {
        var all = new Dictionary<string, string>(metadata) { [ModelKey] = head.GetName() };
        foreach (var (key, value) in head.TrainingMetadata)
        {
            all[key] = value;
        }

        SafeTensors.Write(path, head.state_dict().Select(kv => (kv.Key, kv.Value)), all);
    }

    /// <summary>
    /// Refuses a weights file the user named (<c>--weights</c>) that model <paramref name="name"/> cannot load, with
    /// <see cref="Load"/>'s messages, so that commands fail before their long work starts rather than in the middle of it.
    /// One that is truncated, another model's or does not fit is a refused input (<see cref="ArgumentException"/>, exit 2),
    /// as a missing one is (<see cref="FileNotFoundException"/>). A damaged shipped file in the model cache stays an
    /// <see cref="InvalidDataException"/> (exit 1): there the installation is at fault, not the command line.
    /// </summary>
    public static void CheckOption(string path, string name)
    {
        using var head = TemporalModels.Create(name);
        LoadOption(path, head);
    }

    /// <summary><see cref="Load"/> for a file the user named: the problems <see cref="CheckOption"/> refuses are <see cref="ArgumentException"/>s (exit 2).</summary>
    public static IReadOnlyDictionary<string, string> LoadOption(string path, TemporalHead head)
    {
        try
        {
            return Load(path, head);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="head"/>, returning the file's metadata.</summary>
    public static IReadOnlyDictionary<string, string> Load(string path, TemporalHead head)
    {
        var name = head.GetName();
        var retrain = $"train it with './run.sh train --model {name} --output {path}'";
        SafeTensors.Contents contents;
        try
        {
            contents = SafeTensors.Read(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"weights of '{name}' not found: {path}; {retrain}", path, e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"weights of '{name}' unreadable: {e.Message}; {retrain}", e);
        }

        using (contents)
        {
            var stored = contents.Metadata.GetValueOrDefault(ModelKey, "(none)");
            if (stored != name)
            {
                throw new InvalidDataException($"{path} holds weights of model '{stored}', not '{name}'; pass --model {stored}, or {retrain}");
            }

            var expected = head.state_dict();
            var problems = expected.Where(kv => !contents.Tensors.TryGetValue(kv.Key, out var t) || !t.shape.SequenceEqual(kv.Value.shape))
                .Select(kv => contents.Tensors.TryGetValue(kv.Key, out var t) ? $"'{kv.Key}' is [{string.Join(", ", t.shape)}], the model has [{string.Join(", ", kv.Value.shape)}]" : $"'{kv.Key}' is missing")
                .Concat(contents.Tensors.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"'{k}' is not in the model"))
                .ToList();
            if (problems.Count > 0)
            {
                throw new InvalidDataException($"{path} does not match model '{name}' ({problems.Count} tensors differ: {string.Join("; ", problems.Take(3))}); {retrain}");
            }

            using (no_grad())
            {
                foreach (var (key, target) in expected)
                {
                    target.copy_(contents.Tensors[key]);
                }
            }

            return contents.Metadata;
        }
    }
}
