using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Cli.Commands;
using Pipeline.Graph;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;
using Pipeline.Graph.Stages;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Track;

namespace Pipeline.Cli.Bench;

/// <summary>
/// `bench pipeline`: each stage's throughput alone (the graph's own stage classes driven directly,
/// one after another, on the same frames), the whole graph end to end on those frames, their ratio
/// (pipeline efficiency = end-to-end ÷ slowest stage alone), and the peak resident memory of a
/// `prelabel` child process on the sample and on the sample concatenated four times.
/// </summary>
internal static class PipelineBenchmark
{
    public static Task<int> RunAsync(PipelineBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken) =>
        RunFlags.ExitCodeOfAsync("bench pipeline", "interrupted (its temporary clips and outputs are removed)", () => MeasureAsync(settings, output, cancellationToken), cancellationToken);

    private static async Task<int> MeasureAsync(PipelineBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var (video, seconds, model, memoryModel, memoryDetectEvery) = (settings.Video, settings.Seconds, settings.Model, settings.MemoryModel, settings.MemoryDetectEvery);
        var weights = settings.Weights?.FullName;
        TemporalModels.CheckWeightsOption(model, weights);
        if (!video.Exists)
        {
            throw new FileNotFoundException($"--video {video.FullName}: no such file", video.FullName);
        }

        var work = Directory.CreateTempSubdirectory("bench-pipeline-");
        try
        {
            var clip = Path.Combine(work.FullName, "clip.mp4");
            await FfmpegAsync(["-v", "error", "-y", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-i", video.FullName, "-an", "-c:v", "libx264", "-preset", "veryfast", clip], cancellationToken);
            output.WriteLine($"{video.Name}: first {seconds} s, model {model}{(weights is null ? "" : $" (weights {weights})")}, detect every {settings.DetectEvery}, {Environment.ProcessorCount} cores");
            var stages = await StagesAloneAsync(clip, model, weights, settings.DetectEvery, output, cancellationToken);
            var endToEnd = await EndToEndAsync(clip, model, weights, settings.DetectEvery, NeighbourCrops.OwnBox, Path.Combine(work.FullName, "e2e"), output, cancellationToken);
            var slowest = stages.MinBy(s => s.Value.FramesPerSecond);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"end to end (graph)",-24} {endToEnd.FramesPerSecond,10:F1} frames/s {endToEnd.CpuSecondsPerFrame * 1000,8:F1} CPU ms/frame"));
            var efficiency = endToEnd.FramesPerSecond / slowest.Value.FramesPerSecond;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pipeline efficiency: end-to-end / slowest stage alone ({slowest.Key}) = {efficiency:F2} (goal >= 0.85: {(efficiency >= 0.85 ? "met" : "NOT met")})"));
            var sumOfStages = 1 / stages.Values.Sum(v => 1 / v.FramesPerSecond);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  (all stages one after another would give {sumOfStages:F1} frames/s: end to end is {endToEnd.FramesPerSecond / sumOfStages:F2}x that)"));
            // CPU time / wall time: how many cores a run keeps busy (idle threads spin-waiting between
            // parallel regions count too). When the slowest stage alone already fills the machine,
            // the other stages can only run in what it leaves.
            double Cores(StageAlone s) => s.FramesPerSecond * s.CpuSecondsPerFrame;
            if (TemporalModels.Names.Contains(model))
            {
                await CompareTemporalAsync(clip, model, weights, settings.DetectEvery, endToEnd, settings.Pairs, work.FullName, output, cancellationToken);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cores busy: {slowest.Key} alone {Cores(slowest.Value):F2}, end to end {Cores(endToEnd):F2} of {Environment.ProcessorCount}; the other stages alone need {stages.Where(s => s.Key != slowest.Key).Sum(s => s.Value.CpuSecondsPerFrame) / slowest.Value.CpuSecondsPerFrame:P0} of {slowest.Key}'s CPU time per frame"));

            if (!settings.SkipMemory)
            {
                var longVideo = Path.Combine(work.FullName, "sample-x4.mkv");
                var list = Path.Combine(work.FullName, "list.txt");
                await File.WriteAllLinesAsync(list, Enumerable.Repeat($"file '{video.FullName}'", 4), cancellationToken);
                await FfmpegAsync(["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", longVideo], cancellationToken);
                output.WriteLine($"peak resident memory of `prelabel` (model {memoryModel}, detect every {memoryDetectEvery}):");
                var memoryWeights = memoryModel == model ? weights : null;
                var single = await PeakMemoryAsync(video.FullName, Path.Combine(work.FullName, "m1"), memoryModel, memoryWeights, memoryDetectEvery, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sample ({video.Name}):       {single.PeakBytes / 1e6,8:F0} MB  ({single.Seconds:F0} s)"));
                var four = await PeakMemoryAsync(longVideo, Path.Combine(work.FullName, "m4"), memoryModel, memoryWeights, memoryDetectEvery, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sample x4 (4x the frames): {four.PeakBytes / 1e6,8:F0} MB  ({four.Seconds:F0} s)"));
                var ratio = (double)four.PeakBytes / single.PeakBytes;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio {ratio:F2} (goal <= 1.2: {(ratio <= 1.2 ? "met" : "NOT met")})"));
            }

            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A stage run alone: its throughput, and the CPU time it spends per frame (all threads, FFmpeg included).</summary>
    private sealed record StageAlone(double FramesPerSecond, double CpuSecondsPerFrame);

    private static async Task<Dictionary<string, StageAlone>> StagesAloneAsync(string clip, string model, string? weights, int detectEvery, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new PrelabelOptions { Output = Path.GetTempPath(), Model = model, Weights = weights, DetectEvery = detectEvery };
        var store = ModelStore.Default;
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"));
        using var pose = PoseModels.Load(store, options, TorchSharp.torch.CPU);
        var task = InputResolver.ForFile(clip);
        var stages = new Dictionary<string, StageAlone>();
        long frames = 0;
        var clock = Stopwatch.StartNew();
        var cpu = CpuClock.Seconds();

        void Restart()
        {
            clock.Restart();
            cpu = CpuClock.Seconds();
        }

        void Report(string name)
        {
            var stage = new StageAlone(frames / clock.Elapsed.TotalSeconds, (CpuClock.Seconds() - cpu) / frames);
            stages[name] = stage;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name + " alone",-24} {stage.FramesPerSecond,10:F1} frames/s {stage.CpuSecondsPerFrame * 1000,8:F1} CPU ms/frame"));
        }

        var decoded = new List<VideoEvent>();
        await foreach (var e in new DecodeStage().ProcessAsync(task, cancellationToken))
        {
            decoded.Add(e);
        }

        frames = decoded.Count(e => e is FrameEvent);
        Report("decode");

        var detect = new DetectStage(detector, options);
        Restart();
        var detected = new List<VideoEvent>();
        foreach (var e in decoded)
        {
            detected.AddRange(await detect.ProcessAsync(e, cancellationToken));
        }

        Report("detect");
        var track = new TrackStage(new ByteTrackOptions());
        Restart();
        var tracked = new List<VideoEvent>();
        foreach (var e in detected)
        {
            tracked.Add(await track.ProcessAsync(e, cancellationToken));
        }

        Report("track");
        var window = new WindowStage(PoseModels.Windows(pose, options));
        // Keeping every window for the pose stage below makes each crop land in fresh memory (page
        // faults, ~1 ms per 256² crop): the graph frees windows as pose consumes them, so window
        // alone reads slower here than it runs in the graph.
        Restart();
        var windows = new List<WindowMessage>();
        foreach (var e in tracked)
        {
            windows.AddRange(await window.ProcessAsync(e, cancellationToken));
        }

        Report("window");
        var batch = new BatchStage(options.MaxPoseBatch);
        var jobs = new List<PoseJob>();
        foreach (var w in windows)
        {
            jobs.AddRange(await batch.ProcessAsync(w, cancellationToken));
        }

        var worker = PoseModels.Worker(pose, options);
        Restart();
        var results = new List<SinkMessage>();
        foreach (var j in jobs)
        {
            results.Add(j.Batch is not null ? await worker.ProcessAsync(j, cancellationToken) : j.Closed!);
        }

        var poseTime = clock.Elapsed;
        Report("pose");
        var outcome = default(VideoOutcome);
        var sinkDirectory = Directory.CreateTempSubdirectory("bench-sink-");
        var sink = new SinkStage(sinkDirectory.FullName, pose.Name, pose.WeightsHash, "bench", o =>
        {
            outcome = o;
            return Task.CompletedTask;
        });
        Restart();
        foreach (var r in results)
        {
            await sink.ProcessAsync(r, cancellationToken);
        }

        Report("sink");
        sinkDirectory.Delete(recursive: true);
        output.WriteLine($"  ({frames} frames, {windows.Count(w => w is WindowItem)} windows, {outcome?.Rows ?? 0} rows)");
        if (pose is TemporalPoseModel temporal && outcome is { Rows: > 0 } done)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  backbone passes per person-frame: {(double)temporal.BackboneCrops / done.Rows:F2} ({temporal.BackboneCrops} crops for {done.Rows} person-frames, own-box mode; goal <= 1.1)"));
            var (backboneTime, headTime, headWindows, headCalls) = temporal.TimeSpent;
            var perCrop = backboneTime.TotalMilliseconds / temporal.BackboneCrops;
            var perWindow = headTime.TotalMilliseconds / headWindows;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pose alone, split: backbone {perCrop:F1} ms per crop, head with its decoding {perWindow:F1} ms per window ({perWindow / perCrop:F2} backbone passes; {(double)headWindows / headCalls:F1} windows per call), the rest (stacking, resampling, rows) {(poseTime.TotalMilliseconds - backboneTime.TotalMilliseconds - headTime.TotalMilliseconds) / frames:F1} ms per frame"));
        }

        return stages;
    }

    // A temporal model end to end against single-frame Thunder (its backbone) and against its key-box mode, in the same run. The
    // ratio to Thunder is taken in pairs whose order alternates (the first pair reuses the run above), so neither model always
    // runs on the warmer or the busier machine; their median is the number compared with the goal.
    private static async Task CompareTemporalAsync(string clip, string model, string? weights, int detectEvery, StageAlone ownBox, int pairs, string work, TextWriter output, CancellationToken cancellationToken)
    {
        Task<StageAlone> Thunder() => EndToEndAsync(clip, TemporalModels.Backbone, null, detectEvery, NeighbourCrops.OwnBox, Path.Combine(work, "e2e-thunder"), output, cancellationToken);
        Task<StageAlone> OwnBox() => EndToEndAsync(clip, model, weights, detectEvery, NeighbourCrops.OwnBox, Path.Combine(work, "e2e"), output, cancellationToken);
        var thunder = await Thunder();
        var ratios = new List<double> { thunder.FramesPerSecond / ownBox.FramesPerSecond };
        for (var pair = 1; pair < pairs; pair++)
        {
            StageAlone thunderRun, ownBoxRun;
            if (pair % 2 == 1)
            {
                thunderRun = await Thunder();
                ownBoxRun = await OwnBox();
            }
            else
            {
                ownBoxRun = await OwnBox();
                thunderRun = await Thunder();
            }

            ratios.Add(thunderRun.FramesPerSecond / ownBoxRun.FramesPerSecond);
        }

        var perPair = string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)));
        var ratio = Timing.Median(ratios);
        var keyBox = await EndToEndAsync(clip, model, weights, detectEvery, NeighbourCrops.KeyBox, Path.Combine(work, "e2e-keybox"), output, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"end to end, thunder",-24} {thunder.FramesPerSecond,10:F1} frames/s; {model} (own-box) takes {ratio:F2}x its time per frame, the median of {ratios.Count} pairs ({perPair}) (goal <= 1.5: {(ratio <= 1.5 ? "met" : "NOT met")})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"end to end, key-box",-24} {keyBox.FramesPerSecond,10:F1} frames/s; {thunder.FramesPerSecond / keyBox.FramesPerSecond:F2}x thunder's time per frame (the papers' way: the backbone on every neighbour crop)"));
    }

    private static async Task<StageAlone> EndToEndAsync(string clip, string model, string? weights, int detectEvery, NeighbourCrops crops, string outputDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new PrelabelOptions { Output = outputDirectory, Model = model, Weights = weights, DetectEvery = detectEvery, Force = true, NeighbourCrops = crops };
        var clock = Stopwatch.StartNew();
        var cpu = CpuClock.Seconds();
        var manifest = await new PrelabelRunner(options, NullLogger.Instance).RunAsync([InputResolver.ForFile(clip)], [clip], cancellationToken);
        // The video's own time, from the start of decoding to its commit: like the stages alone, this
        // leaves out loading the models (a once-per-process cost, about 1 s, spread over a whole archive).
        var video = manifest.Videos.Single();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  (end to end: {video.Seconds:F1} s for the video, {clock.Elapsed.TotalSeconds:F1} s with model loading)"));
        return new StageAlone(video.Frames / video.Seconds, (CpuClock.Seconds() - cpu) / video.Frames);
    }

    private static async Task<(long PeakBytes, double Seconds)> PeakMemoryAsync(string videoPath, string outputDirectory, string model, string? weights, int detectEvery, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var weightsArguments = weights is null ? [] : new[] { "--weights", weights };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "pipeline.dll"), "prelabel", "--input", videoPath, "--output", outputDirectory, "--model", model, "--detect-every", detectEvery.ToString(CultureInfo.InvariantCulture), "--quiet" }.Concat(weightsArguments))
        {
            info.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(process.Id));
            await Task.Delay(100, cancellationToken);
        }

        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"prelabel on {videoPath} failed: {await stderr}{await stdout}");
        }

        return (peak, clock.Elapsed.TotalSeconds);
    }

    // VmHWM: the process's peak resident set size so far.
    private static long HighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static async Task FfmpegAsync(string[] arguments, CancellationToken cancellationToken)
    {
        using var process = FfmpegProcess.Start(arguments);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {await errors}");
        }
    }
}
