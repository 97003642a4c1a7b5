using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Graph;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;
using Pipeline.Graph.Stages;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
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
    public static async Task<int> RunAsync(FileInfo video, int seconds, string model, string memoryModel, int memoryDetectEvery, bool skipMemory, TextWriter output, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("bench-pipeline-");
        try
        {
            var clip = Path.Combine(work.FullName, "clip.mp4");
            await FfmpegAsync(["-v", "error", "-y", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-i", video.FullName, "-an", "-c:v", "libx264", "-preset", "veryfast", clip], cancellationToken);
            output.WriteLine($"{video.Name}: first {seconds} s, model {model}, {Environment.ProcessorCount} cores");
            var stages = await StagesAloneAsync(clip, model, output, cancellationToken);
            var endToEnd = await EndToEndAsync(clip, model, Path.Combine(work.FullName, "e2e"), cancellationToken);
            var slowest = stages.MinBy(s => s.Value);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"end to end (graph)",-24} {endToEnd,10:F1} frames/s"));
            var efficiency = endToEnd / slowest.Value;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pipeline efficiency: end-to-end / slowest stage alone ({slowest.Key}) = {efficiency:F2} (goal >= 0.85: {(efficiency >= 0.85 ? "met" : "NOT met")})"));
            var sumOfStages = 1 / stages.Values.Sum(v => 1 / v);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  (all stages one after another would give {sumOfStages:F1} frames/s: end to end is {endToEnd / sumOfStages:F2}x that)"));

            if (!skipMemory)
            {
                var longVideo = Path.Combine(work.FullName, "sample-x4.mkv");
                var list = Path.Combine(work.FullName, "list.txt");
                await File.WriteAllLinesAsync(list, Enumerable.Repeat($"file '{video.FullName}'", 4), cancellationToken);
                await FfmpegAsync(["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", longVideo], cancellationToken);
                output.WriteLine($"peak resident memory of `prelabel` (model {memoryModel}, detect every {memoryDetectEvery}):");
                var single = await PeakMemoryAsync(video.FullName, Path.Combine(work.FullName, "m1"), memoryModel, memoryDetectEvery, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sample ({video.Name}):       {single.PeakBytes / 1e6,8:F0} MB  ({single.Seconds:F0} s)"));
                var four = await PeakMemoryAsync(longVideo, Path.Combine(work.FullName, "m4"), memoryModel, memoryDetectEvery, cancellationToken);
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

    private static async Task<Dictionary<string, double>> StagesAloneAsync(string clip, string model, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new PrelabelOptions { Output = Path.GetTempPath(), Model = model };
        var store = ModelStore.Default;
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"));
        using var pose = new MoveNetPoseModel(store.GraphModel(model));
        var task = InputResolver.ForFile(clip);
        var throughput = new Dictionary<string, double>();
        long frames = 0;

        double Rate(Stopwatch clock) => frames / clock.Elapsed.TotalSeconds;
        void Report(string name, double rate)
        {
            throughput[name] = rate;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name + " alone",-24} {rate,10:F1} frames/s"));
        }

        var clock = Stopwatch.StartNew();
        var decoded = new List<VideoEvent>();
        await foreach (var e in new DecodeStage().ProcessAsync(task, cancellationToken))
        {
            decoded.Add(e);
        }

        frames = decoded.Count(e => e is FrameEvent);
        Report("decode", Rate(clock));

        var detect = new DetectStage(detector, options);
        clock.Restart();
        var detected = new List<VideoEvent>();
        foreach (var e in decoded)
        {
            detected.AddRange(await detect.ProcessAsync(e, cancellationToken));
        }

        Report("detect", Rate(clock));
        var track = new TrackStage(new ByteTrackOptions());
        clock.Restart();
        var tracked = new List<VideoEvent>();
        foreach (var e in detected)
        {
            tracked.Add(await track.ProcessAsync(e, cancellationToken));
        }

        Report("track", Rate(clock));
        var window = new WindowStage(new WindowOptions { Radius = pose.Radius, CropSize = pose.InputSize });
        clock.Restart();
        var windows = new List<WindowMessage>();
        foreach (var e in tracked)
        {
            windows.AddRange(await window.ProcessAsync(e, cancellationToken));
        }

        Report("window", Rate(clock));
        var batch = new BatchStage(options.MaxPoseBatch);
        var jobs = new List<PoseJob>();
        foreach (var w in windows)
        {
            jobs.AddRange(await batch.ProcessAsync(w, cancellationToken));
        }

        var worker = new PoseWorker(pose);
        clock.Restart();
        var results = new List<SinkMessage>();
        foreach (var j in jobs)
        {
            results.Add(j.Batch is not null ? await worker.ProcessAsync(j, cancellationToken) : j.Closed!);
        }

        Report("pose", Rate(clock));
        var outcome = default(VideoOutcome);
        var sinkDirectory = Directory.CreateTempSubdirectory("bench-sink-");
        var sink = new SinkStage(sinkDirectory.FullName, pose.Name, pose.WeightsHash, "bench", o =>
        {
            outcome = o;
            return Task.CompletedTask;
        });
        clock.Restart();
        foreach (var r in results)
        {
            await sink.ProcessAsync(r, cancellationToken);
        }

        Report("sink", Rate(clock));
        sinkDirectory.Delete(recursive: true);
        output.WriteLine($"  ({frames} frames, {windows.Count(w => w is WindowItem)} windows, {outcome?.Rows ?? 0} rows)");
        return throughput;
    }

    private static async Task<double> EndToEndAsync(string clip, string model, string outputDirectory, CancellationToken cancellationToken)
    {
        var options = new PrelabelOptions { Output = outputDirectory, Model = model, Force = true };
        var clock = Stopwatch.StartNew();
        var manifest = await new PrelabelRunner(options, NullLogger.Instance).RunAsync([InputResolver.ForFile(clip)], [clip], cancellationToken);
        return manifest.Summary.Frames / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(long PeakBytes, double Seconds)> PeakMemoryAsync(string videoPath, string outputDirectory, string model, int detectEvery, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "pipeline.dll"), "prelabel", "--input", videoPath, "--output", outputDirectory, "--model", model, "--detect-every", detectEvery.ToString(CultureInfo.InvariantCulture), "--quiet" })
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
