using System.Diagnostics;
using System.Globalization;
using Pipeline.Cli.Commands;
using Pipeline.Cli.Temporal;
using Pipeline.Stages.Evaluation;
using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.Training;
using static TorchSharp.torch;

namespace Pipeline.Cli.Bench;

internal sealed record TemporalBenchSettings(FileInfo Video, string Frames, DirectoryInfo Weights, string[] Models, int Windows, int Seed, string CacheRoot, int Resamples, bool KeyBox = true);

/// <summary>
/// `bench temporal`: agreement with the teacher (single-frame Thunder on clean frames) of every
/// predictor on held-out windows under seeded degradations — clean, key frame degraded, every frame
/// degraded (each at severities 1–3), and the whole video re-encoded at a very low bitrate (never seen
/// in training). Rows: Thunder itself (its own decoding, and our heatmap decoder), neighbours' heatmaps
/// averaged after alignment, each temporal model with its real neighbours, with its neighbours replaced
/// by the key frame, its δ = 0 control (the same head trained on key copies), and the same head on the
/// papers' key-box windows (every slot cropped with the key frame's box, <see cref="KeyBoxCacheBuilder"/>).
/// OKS AP with paired bootstrap intervals against Thunder, PCK@0.1, and the heads' time per window.
/// </summary>
internal static class TemporalBenchmark
{
    private sealed record Regime(string Name, Func<int, int[]> Versions);

    private sealed record Row(string Name, Func<IReadOnlyList<WindowRequest>, float[]> Predict, string? Model = null);

    public static async Task<int> RunAsync(TemporalBenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            var frames = TemporalData.ParseFrames(settings.Frames, "--frames");
            var heads = LoadHeads(settings, output); // before the caches: a bad weights file must not wait for minutes of backbone passes
            using var cache = await TemporalData.OpenAsync(settings.Video.FullName, frames, TrainCommand.HeldOutVersions, settings.Seed, settings.CacheRoot, CPU, cancellationToken);
            var keys = Enumerable.Range(0, cache.Items.Count).Where(cache.Teaches).ToList();
            var draw = new Random(settings.Seed);
            keys = [.. keys.OrderBy(_ => draw.Next()).Take(settings.Windows).Order()];
            using var keyBox = settings.KeyBox && heads.Count > 0
                ? await TemporalData.OpenKeyBoxAsync(cache, keys, heads.Values.Max(h => h.Head.Radius), settings.CacheRoot, CPU, cancellationToken)
                : null;
            var rows = Rows(cache, heads, keyBox);
            var regimes = Regimes(cache);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench temporal: {keys.Count} held-out person-windows of frames {frames.First}–{frames.Last} of {settings.Video.Name} (of {cache.Items.Count} person-frames); metrics against the teacher, Thunder on the clean frames"));
            output.WriteLine("(agreement with single-frame Thunder under degradation, not accuracy against human labels)");
            output.WriteLine();

            var decoderCeiling = Ceiling(cache, keys);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decoder ceiling (the teacher's target heatmaps decoded by the heatmap decoder): AP {100 * KeypointAgreement.AveragePrecision(decoderCeiling):F1}, PCK@0.1 {100 * KeypointAgreement.Pck(decoderCeiling):F1}"));
            var timing = new Dictionary<string, double>();
            var pooled = new Dictionary<(string Regime, string Row), List<PairedPose>>();
            foreach (var regime in regimes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var results = new Dictionary<string, List<PairedPose>>();
                foreach (var row in rows)
                {
                    var clock = Stopwatch.StartNew();
                    var predicted = new List<PairedPose>();
                    foreach (var chunk in keys.Chunk(16))
                    {
                        var window = row.Model is { } m ? heads[m].Head.Window : 5;
                        var requests = chunk.Select(k => new WindowRequest(k, regime.Versions(window))).ToList();
                        var keypoints = row.Predict(requests);
                        predicted.AddRange(requests.Select((r, i) => TeacherAgreement.Pair(cache, r.Key, keypoints.AsSpan(i * 51, 51))));
                    }

                    if (row.Model is not null)
                    {
                        timing[row.Name] = timing.GetValueOrDefault(row.Name) + (clock.Elapsed.TotalMilliseconds / keys.Count / regimes.Count);
                    }

                    results[row.Name] = predicted;
                    var family = regime.Name.Split(' ')[0];
                    if (family is "clean" or "key-degraded" or "all-degraded")
                    {
                        var key = (family, row.Name);
                        pooled[key] = [.. pooled.GetValueOrDefault(key) ?? [], .. predicted];
                    }
                }

                PrintRegime(output, regime.Name, results, settings.Resamples);
            }

            output.WriteLine();
            output.WriteLine("time per person-window (head forward on 16 windows at a time, aligned inputs assembled from the cache; backbone not included):");
            foreach (var (name, ms) in timing)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-34} {ms,7:F1} ms"));
            }

            output.WriteLine("backbone passes per person-frame, default (own-box) mode: 1.00 — each person-frame's crop is run once and its maps are resampled into the neighbours' windows");
            if (keyBox is not null)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"backbone passes per person-frame, key-box mode (the papers' way) at δ = {heads.Values.Max(h => h.Head.Radius)}: {(double)keyBox.Items.Count / keys.Count:F2} — every frame of each window cropped again at the key's box (fewer than 2δ+1 at a track's ends and gaps)"));
            }

            Criteria(output, pooled, heads.Keys, settings.Resamples);
            foreach (var h in heads.Values)
            {
                h.Head.Dispose();
                h.Control?.Dispose();
            }

            return 0;
        }
        catch (Exception e) when (RunFlags.IsUsageError(e))
        {
            Console.Error.WriteLine($"bench temporal: {e.Message}");
            return RunFlags.ExitCode(e);
        }
    }

    private sealed record LoadedHead(TemporalHead Head, TemporalHead? Control);

    private static Dictionary<string, LoadedHead> LoadHeads(TemporalBenchSettings settings, TextWriter output)
    {
        var heads = new Dictionary<string, LoadedHead>();
        foreach (var model in settings.Models)
        {
            var head = TemporalModels.Create(model);
            var path = Path.Combine(settings.Weights.FullName, model + ".safetensors");
            var metadata = TemporalWeights.LoadOption(path, head); // --weights DIR (default: the checkout's infra/models/temporal) is the bench's input
            head.eval();
            output.WriteLine($"{model}: {path} (step {metadata.GetValueOrDefault("step", "?")}, {metadata.GetValueOrDefault("minutes", "?")} min of training)");
            TemporalHead? control = null;
            var controlPath = Path.Combine(settings.Weights.FullName, model + "-key-copies.safetensors");
            if (File.Exists(controlPath))
            {
                control = TemporalModels.Create(model);
                TemporalWeights.LoadOption(controlPath, control);
                control.eval();
            }
            else
            {
                output.WriteLine($"{model}: no δ = 0 control {controlPath} (train it with ./run.sh train --model {model} --neighbours key-copies); its rows are left out");
            }

            heads[model] = new LoadedHead(head, control);
        }

        return heads;
    }

    private static List<Row> Rows(BackboneCache cache, Dictionary<string, LoadedHead> heads, BackboneCache? keyBox)
    {
        var single = new WindowAssembler(cache, 0);
        var rows = new List<Row>
        {
            new("thunder (own decoding)", requests => [.. requests.SelectMany(r => cache.Items[r.Key].Keypoints[r.SlotVersions[r.SlotVersions.Length / 2]])]),
            new("thunder (heatmap decoder)", requests => Decode(single, [.. requests.Select(Centre)], (f, h) => h.select(1, 0))),
        };
        foreach (var radius in heads.Values.Select(h => h.Head.Radius).Distinct().Order())
        {
            var assembler = new WindowAssembler(cache, radius);
            rows.Add(new($"averaging δ={radius}", requests => Decode(assembler, [.. requests.Select(r => Narrow(r, radius))], (f, h) => h.mean([1]))));
        }

        foreach (var (model, loaded) in heads)
        {
            var r = loaded.Head.Radius;
            var track = new WindowAssembler(cache, r);
            var copies = new WindowAssembler(cache, r, NeighbourSource.KeyCopies);
            rows.Add(new(model, requests => Decode(track, requests, (f, h) => Run(loaded.Head, f, h)), model));
            rows.Add(new($"{model}, neighbours = key", requests => Decode(copies, requests, (f, h) => Run(loaded.Head, f, h)), model));
            if (loaded.Control is { } control)
            {
                rows.Add(new($"{model} δ=0 control", requests => Decode(copies, requests, (f, h) => Run(control, f, h)), model));
            }

            if (keyBox is not null)
            {
                // The same windows cut the papers' way: keys mapped to their key-box windows, versions slot for slot.
                var boxes = new WindowAssembler(keyBox, r);
                rows.Add(new($"{model} key-box", requests => Decode(boxes, [.. requests.Select(q => q with { Key = KeyBoxCacheBuilder.KeyItem(keyBox, cache, q.Key) })], (f, h) => Run(loaded.Head, f, h)), model));
            }
        }

        return rows;
    }

    private static WindowRequest Centre(WindowRequest r) => new(r.Key, [r.SlotVersions[r.SlotVersions.Length / 2]]);

    // Requests are made for the widest window (δ = 2); a narrower model takes the middle slots.
    private static WindowRequest Narrow(WindowRequest r, int radius)
    {
        var middle = r.SlotVersions.Length / 2;
        return new WindowRequest(r.Key, r.SlotVersions[(middle - radius)..(middle + radius + 1)]);
    }

    private static Tensor Run(TemporalHead head, Tensor features, Tensor heatmaps)
    {
        using var output = head.call(features, heatmaps);
        return output.Heatmaps.detach().clone();
    }

    private static float[] Decode(WindowAssembler assembler, IReadOnlyList<WindowRequest> requests, Func<Tensor, Tensor, Tensor> heatmaps)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var narrowed = requests.Select(r => r.SlotVersions.Length == assembler.Window ? r : Narrow(r, assembler.Radius)).ToList();
        using var batch = assembler.Assemble(narrowed);
        return HeatmapDecoder.Decode(heatmaps(batch.Features, batch.Heatmaps)).data<float>().ToArray();
    }

    private static List<PairedPose> Ceiling(BackboneCache cache, List<int> keys)
    {
        var single = new WindowAssembler(cache, 0);
        var pairs = new List<PairedPose>();
        foreach (var chunk in keys.Chunk(16))
        {
            using var scope = NewDisposeScope();
            using var batch = single.Assemble([.. chunk.Select(k => new WindowRequest(k, [0]))]);
            var decoded = HeatmapDecoder.Decode(batch.Targets).data<float>().ToArray();
            pairs.AddRange(chunk.Select((k, i) => TeacherAgreement.Pair(cache, k, decoded.AsSpan(i * 51, 51))));
        }

        return pairs;
    }

    private static List<Regime> Regimes(BackboneCache cache)
    {
        var versions = cache.Index.Description.Versions;
        int V(string name) => Array.IndexOf(versions, name) is var i and >= 0 ? i : throw new InvalidDataException($"the held-out cache lacks version '{name}'");
        var regimes = new List<Regime> { new("clean", t => new int[t]) };
        foreach (var s in new[] { 1, 2, 3 })
        {
            var v = V($"severity-{s}");
            regimes.Add(new($"key-degraded s{s}", t => [.. Enumerable.Range(0, t).Select(slot => slot == t / 2 ? v : 0)]));
        }

        foreach (var s in new[] { 1, 2, 3 })
        {
            var v = V($"severity-{s}");
            regimes.Add(new($"all-degraded s{s}", t => [.. Enumerable.Repeat(v, t)]));
        }

        var low = V("low-bitrate");
        regimes.Add(new("low-bitrate (unseen)", t => [.. Enumerable.Repeat(low, t)]));
        return regimes;
    }

    private static void PrintRegime(TextWriter output, string regime, Dictionary<string, List<PairedPose>> results, int resamples)
    {
        output.WriteLine();
        output.WriteLine($"{regime}:");
        output.WriteLine($"  {"predictor",-34} {"AP",6} {"Δ AP vs thunder [95 % CI]",-28} {"PCK@0.1",8}");
        var thunder = results.First().Value;
        foreach (var (name, pairs) in results)
        {
            var ap = 100 * KeypointAgreement.AveragePrecision(pairs);
            var delta = name == results.First().Key ? "" : Interval(KeypointAgreement.PairedBootstrap(pairs, thunder, resamples));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-34} {ap,6:F1} {delta,-28} {100 * KeypointAgreement.Pck(pairs),8:F1}"));
        }
    }

    private static string Interval((double Difference, double Low, double High) d) =>
        $"{Points(d.Difference)} [{Points(d.Low)}, {Points(d.High)}]";

    // A signed difference in AP points to one decimal; one that rounds to zero prints "+0.0" (the format alone gave "-+0.0").
    private static string Points(double difference) =>
        Math.Round(100 * difference, 1) is var rounded && rounded == 0 ? "+0.0" : rounded.ToString("+0.0;-0.0", CultureInfo.InvariantCulture);

    // The issue's must-shows, on the key-degraded and all-degraded windows pooled over the three severities.
    private static void Criteria(TextWriter output, Dictionary<(string Regime, string Row), List<PairedPose>> pooled, IEnumerable<string> models, int resamples)
    {
        output.WriteLine();
        output.WriteLine("criteria (degraded regimes pooled over severities 1–3):");
        foreach (var model in models)
        {
            var clean = 100 * KeypointAgreement.AveragePrecision(pooled[("clean", model)]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} clean: AP {clean:F1} against the teacher's 100 (within 5: {Pass(clean >= 95)})"));
            foreach (var regime in new[] { "clean", "key-degraded", "all-degraded" })
            {
                if (pooled.GetValueOrDefault((regime, $"{model} key-box")) is { } keyBox)
                {
                    // Own-box windows must not cost accuracy against the papers' way: their paired difference reaches 0 or lies above it.
                    var vsKeyBox = KeypointAgreement.PairedBootstrap(pooled[(regime, model)], keyBox, resamples);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: own-box vs key-box {Interval(vsKeyBox)} (not below key-box — the interval reaches 0 or lies above: {Pass(vsKeyBox.High >= 0)})"));
                }
            }

            foreach (var regime in new[] { "key-degraded", "all-degraded" })
            {
                List<PairedPose>? Get(string row) => pooled.GetValueOrDefault((regime, row));
                var mine = Get(model)!;
                var vsThunder = KeypointAgreement.PairedBootstrap(mine, Get("thunder (own decoding)")!, resamples);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: vs thunder {Interval(vsThunder)} (≥ +5, also at the low end: {Pass(vsThunder.Low >= 0.05)})"));
                var averaging = pooled.Keys.First(k => k.Regime == regime && k.Row.StartsWith("averaging", StringComparison.Ordinal) && k.Row.EndsWith(TemporalModels.Radius(model).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
                var vsAveraging = KeypointAgreement.PairedBootstrap(mine, pooled[averaging], resamples);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: vs {averaging.Row} {Interval(vsAveraging)} (above: {Pass(vsAveraging.Difference > 0)})"));
                if (Get($"{model} δ=0 control") is { } control)
                {
                    var vsControl = KeypointAgreement.PairedBootstrap(mine, control, resamples);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: vs δ=0 control {Interval(vsControl)} (≥ +3: {Pass(vsControl.Difference >= 0.03)})"));
                }

                if (TemporalModels.FullResolution.GetValueOrDefault(model) is { } full && Get(full) is { } fullRows)
                {
                    // What aligning at stride 8 costs: no pass/fail, the speed goal is why the variant exists.
                    var vsFull = KeypointAgreement.PairedBootstrap(mine, fullRows, resamples);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: vs {full} (aligning at 64²) {Interval(vsFull)}"));
                }

                if (TemporalModels.Ablations.GetValueOrDefault(model) is { } ablation && Get(ablation) is { } ablated)
                {
                    // The papers' ablations: "no detectable contribution" is a result too, so no pass/fail here.
                    var vsAblation = KeypointAgreement.PairedBootstrap(mine, ablated, resamples);
                    var detectable = vsAblation.Low > 0 ? "contributes" : vsAblation.High < 0 ? "costs accuracy" : "no detectable contribution";
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: vs its ablation {ablation} {Interval(vsAblation)} ({detectable})"));
                }

                if (regime == "key-degraded")
                {
                    var vsCopies = KeypointAgreement.PairedBootstrap(mine, Get($"{model}, neighbours = key")!, resamples);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model} {regime}: vs its neighbours replaced by the key {Interval(vsCopies)} (≥ +3: {Pass(vsCopies.Difference >= 0.03)})"));
                }
            }
        }
    }

    private static string Pass(bool ok) => ok ? "PASS" : "FAIL";
}
