using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Imaging;

namespace Pipeline.Cli.Bench;

/// <summary>
/// `bench decode`: the product's decoder (an FFmpeg process per video, frames piped) against
/// OpenCV's <c>VideoCapture</c> (FFmpeg linked in-process), on the checks the decoder must pass —
/// common codecs and containers, exact presentation times on variable frame rate, rotation
/// metadata, empty / non-video / truncated files, and undecodable frames counted — and on
/// throughput (frames/s and CPU per frame, medians of interleaved rounds). Clips are cut from the
/// sample at run time.
/// </summary>
internal static class DecodeBenchmark
{
    private sealed record Decoded(List<(double Time, int Width, int Height)> Frames, long Undecodable, string? Error);

    private interface IDecoder
    {
        string Name { get; }

        Task<Decoded> DecodeAsync(string path, CancellationToken cancellationToken);
    }

    private sealed class FfmpegDecoder : IDecoder
    {
        public string Name => "FFmpeg pipe (product)";

        public async Task<Decoded> DecodeAsync(string path, CancellationToken cancellationToken)
        {
            var frames = new List<(double, int, int)>();
            var statistics = new DecodeStatistics();
            try
            {
                await VideoProbe.ProbeAsync(path, cancellationToken);
                await foreach (var f in VideoDecoder.DecodeAsync(path, statistics, cancellationToken))
                {
                    frames.Add((f.PresentationTime, f.Image.Width, f.Image.Height));
                }

                return new Decoded(frames, statistics.UndecodableFrames, null);
            }
            catch (InvalidDataException e)
            {
                return new Decoded(frames, statistics.UndecodableFrames, e.Message);
            }
        }
    }

    /// <summary>VideoCapture as one would use it: frames until read fails, times from CAP_PROP_POS_MSEC, OpenCV's auto-rotation.</summary>
    private sealed class OpenCvDecoder : IDecoder
    {
        public string Name => "OpenCV VideoCapture";

        public Task<Decoded> DecodeAsync(string path, CancellationToken cancellationToken)
        {
            OpenCvImages.Configure();
            using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
            if (!capture.IsOpened())
            {
                return Task.FromResult(new Decoded([], 0, $"{path}: VideoCapture could not open it"));
            }

            var frames = new List<(double, int, int)>();
            using var frame = new Mat();
            using var rgb = new Mat();
            while (capture.Read(frame) && !frame.Empty())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Cv2.CvtColor(frame, rgb, ColorConversionCodes.BGR2RGB);
                frames.Add((capture.Get(VideoCaptureProperties.PosMsec) / 1000, rgb.Width, rgb.Height));
            }

            // VideoCapture reports no decode errors: a bad frame ends the stream or is skipped silently.
            return Task.FromResult(new Decoded(frames, 0, null));
        }
    }

    public static async Task<int> RunAsync(FileInfo video, int rounds, TextWriter output, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("bench-decode-").FullName;
        try
        {
            IDecoder[] decoders = [new FfmpegDecoder(), new OpenCvDecoder()];
            var checks = await ChecksAsync(video.FullName, work, cancellationToken);
            output.WriteLine($"{video.Name}: checks on clips cut from it, then throughput (medians of {rounds} interleaved rounds)");
            output.WriteLine();
            output.WriteLine($"{"check",-44} {decoders[0].Name,-24} {decoders[1].Name}");
            var failed = decoders.ToDictionary(d => d.Name, _ => new List<string>());
            foreach (var (name, path, verdict) in checks)
            {
                var results = new List<string>();
                foreach (var decoder in decoders)
                {
                    var problem = verdict(await decoder.DecodeAsync(path, cancellationToken));
                    results.Add(problem is null ? "pass" : $"FAIL: {problem}");
                    if (problem is not null)
                    {
                        failed[decoder.Name].Add(name);
                    }
                }

                output.WriteLine($"{name,-44} {results[0],-24} {results[1]}");
            }

            output.WriteLine();
            var times = decoders.ToDictionary(d => d.Name, _ => (Rate: new List<double>(), Cpu: new List<double>()));
            for (var round = 0; round < rounds; round++)
            {
                foreach (var decoder in decoders)
                {
                    // CpuClock counts this process and its reaped children: the FFmpeg process too.
                    var cpu = CpuClock.Seconds();
                    var clock = Stopwatch.StartNew();
                    var decoded = await decoder.DecodeAsync(video.FullName, cancellationToken);
                    times[decoder.Name].Rate.Add(decoded.Frames.Count / clock.Elapsed.TotalSeconds);
                    times[decoder.Name].Cpu.Add((CpuClock.Seconds() - cpu) * 1000 / Math.Max(1, decoded.Frames.Count));
                }
            }

            foreach (var decoder in decoders)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{decoder.Name,-24} {Timing.Median(times[decoder.Name].Rate),7:F0} frames/s, {Timing.Median(times[decoder.Name].Cpu),5:F2} ms CPU per frame (FFmpeg's process included)"));
            }

            output.WriteLine();
            foreach (var decoder in decoders)
            {
                output.WriteLine($"{decoder.Name}: {(failed[decoder.Name].Count == 0 ? "passes every check" : $"fails {string.Join("; ", failed[decoder.Name])}")}");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<List<(string Name, string Path, Func<Decoded, string?> Verdict)>> ChecksAsync(string sample, string work, CancellationToken cancellationToken)
    {
        async Task<string> Cut(string name, double start, double seconds, params string[] encode)
        {
            var path = Path.Combine(work, name);
            await FfmpegAsync(["-ss", start.ToString(CultureInfo.InvariantCulture), "-t", seconds.ToString(CultureInfo.InvariantCulture), "-i", sample, "-an", .. encode, path], cancellationToken);
            return path;
        }

        string? TenFramesTenthApart(Decoded d)
        {
            if (d.Error is not null)
            {
                return d.Error;
            }

            if (d.Frames.Count != 10)
            {
                return $"{d.Frames.Count} frames, expected 10";
            }

            var steps = d.Frames.Zip(d.Frames.Skip(1), (a, b) => b.Time - a.Time).ToList();
            return steps.All(s => Math.Abs(s - 0.1) < 1e-3) ? null : $"time steps {string.Join(" ", steps.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}";
        }

        var checks = new List<(string, string, Func<Decoded, string?>)>();
        foreach (var (name, encode) in new (string, string[])[]
        {
            ("clip.mp4", ["-c:v", "libx264"]), ("clip.mkv", ["-c:v", "libx264"]), ("clip.webm", ["-c:v", "libvpx-vp9", "-b:v", "400k"]),
            ("clip.mpg", ["-c:v", "mpeg2video"]), ("clip.ogv", ["-c:v", "libtheora"]), ("clip.avi", ["-c:v", "msmpeg4"]), ("clip4.avi", ["-c:v", "mpeg4"]),
        })
        {
            checks.Add(($"{name} ({encode[1]}): 10 frames 0.1 s apart", await Cut(name, 30, 1, encode), TenFramesTenthApart));
        }

        var vfr = await Cut("vfr.mkv", 30, 2, "-vf", "select='lt(n\\,5)+not(mod(n\\,2))'", "-fps_mode", "vfr", "-c:v", "libx264");
        checks.Add(("variable frame rate: 0.1 and 0.2 s steps", vfr, d =>
        {
            var steps = d.Frames.Zip(d.Frames.Skip(1), (a, b) => Math.Round(b.Time - a.Time, 3)).ToHashSet();
            return d.Error ?? (steps.Contains(0.1) && steps.Contains(0.2) ? null : $"steps {string.Join(" ", steps)}");
        }
        ));

        var upright = await Cut("upright.mp4", 30, 0.5, "-c:v", "libx264");
        var rotated = Path.Combine(work, "rotated.mp4");
        await FfmpegAsync(["-i", upright, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated], cancellationToken);
        checks.Add(("rotation metadata 90°: 576x768 frames", rotated, d => d.Error ?? (d.Frames.Count > 0 && d.Frames.All(f => (f.Width, f.Height) == (576, 768)) ? null : $"{d.Frames.FirstOrDefault().Width}x{d.Frames.FirstOrDefault().Height}")));

        var empty = Path.Combine(work, "empty.mp4");
        await File.WriteAllBytesAsync(empty, [], cancellationToken);
        checks.Add(("empty file: refused with a reason", empty, d => d.Error is not null ? null : "no error"));
        var text = Path.Combine(work, "notes.mp4");
        await File.WriteAllTextAsync(text, "not a video at all\n", cancellationToken);
        checks.Add(("non-video file: refused with a reason", text, d => d.Error is not null ? null : "no error"));

        var full = await Cut("full.mp4", 20, 2, "-c:v", "libx264");
        var truncated = Path.Combine(work, "truncated.mp4");
        var bytes = await File.ReadAllBytesAsync(full, cancellationToken);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)], cancellationToken);
        checks.Add(("truncated file (moov lost): refused", truncated, d => d.Error is not null ? null : $"{d.Frames.Count} frames, no error"));

        var stream = await Cut("stream.ts", 20, 4, "-c:v", "mpeg2video", "-g", "10");
        var damaged = Path.Combine(work, "damaged.ts");
        var ts = await File.ReadAllBytesAsync(stream, cancellationToken);
        new Random(7).NextBytes(ts.AsSpan(ts.Length / 3, 40_000));
        await File.WriteAllBytesAsync(damaged, ts, cancellationToken);
        checks.Add(("damaged frames: counted, the rest decoded", damaged, d => d.Error ?? (d.Undecodable > 0 && d.Frames.Count > 20 ? null : $"{d.Frames.Count} frames, {d.Undecodable} counted undecodable")));
        return checks;
    }

    private static async Task FfmpegAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(FfmpegProcess.Executable) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {errors}");
        }
    }
}
