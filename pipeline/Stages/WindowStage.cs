using Pipeline.Stages.Imaging;
using static TorchSharp.torch;

namespace Pipeline.Graph.Stages;

/// <summary>Settings of the window stage.</summary>
public sealed class WindowOptions
{
    /// <summary>δ: frames each side of the key frame (0 for single-frame models).</summary>
    public int Radius { get; set; }

    /// <summary>Side of the square crops (the pose model's input size).</summary>
    public int CropSize { get; set; } = 256;

    /// <summary>The key frame's box is enlarged by this factor (default 1.25) to the crop region.</summary>
    public float BoxScale { get; set; } = 1.25f;

    public void Validate()
    {
        if (Radius < 0 || CropSize < 8 || BoxScale < 1)
        {
            throw new ArgumentException("window radius must be >= 0, crop size >= 8 and box scale >= 1");
        }
    }
}

/// <summary>
/// Cuts, for each tracked person in key frame t, the frames t−δ … t+δ (indices clamped at the
/// video's ends) with the key frame's enlarged box. Frames wait in a per-video ring buffer of
/// 2δ+1 frames, so memory does not grow with video length.
/// </summary>
public sealed class WindowStage
{
    private readonly WindowOptions options;
    private readonly Dictionary<string, List<FrameEvent>> buffers = [];

    public WindowStage(WindowOptions options)
    {
        options.Validate();
        this.options = options;
    }

    public Task<IEnumerable<WindowMessage>> ProcessAsync(VideoEvent input, CancellationToken cancellationToken = default)
    {
        var output = new List<WindowMessage>();
        var id = input.Video.VideoId;
        var radius = options.Radius;
        if (!buffers.TryGetValue(id, out var buffer))
        {
            buffers[id] = buffer = [];
        }

        if (input is VideoEndEvent end)
        {
            // Key frames still waiting for their future neighbours: clamp at the last frame.
            if (end.Error is null)
            {
                for (var k = Math.Max(0, buffer.Count - radius); k < buffer.Count; k++)
                {
                    output.AddRange(Windows(buffer, k));
                }
            }

            buffers.Remove(id);
            input.Counters.Windows += output.Count;
            output.Add(new WindowsEnd(end.Video, end.Counters, end.Error));
            return Task.FromResult<IEnumerable<WindowMessage>>(output);
        }

        var frame = (FrameEvent)input;
        buffer.Add(frame);
        // The key frame δ frames back now has all its neighbours (or is clamped at the start).
        var key = buffer.Count - 1 - radius;
        if (key >= 0)
        {
            output.AddRange(Windows(buffer, key));
        }

        // Keep δ frames before the next key frame and the δ after it.
        while (buffer.Count > (2 * radius) + 1)
        {
            buffer.RemoveAt(0);
        }

        frame.Counters.Windows += output.Count;
        return Task.FromResult<IEnumerable<WindowMessage>>(output);
    }

    private List<WindowMessage> Windows(List<FrameEvent> buffer, int key)
    {
        var keyFrame = buffer[key];
        var people = keyFrame.People ?? [];
        if (people.Count == 0)
        {
            return [];
        }

        var radius = options.Radius;
        // Window frames: positions key−δ … key+δ in the buffer, clamped to what the video has.
        // At the start the buffer begins at frame 0; at the end it ends at the last frame.
        var positions = Enumerable.Range(key - radius, (2 * radius) + 1).Select(p => Math.Clamp(p, 0, buffer.Count - 1)).ToList();
        var windows = new List<WindowMessage>();
        foreach (var person in people)
        {
            var region = person.Box.ToCropRegion(options.BoxScale);
            var size = options.CropSize;
            var frameBytes = 3 * size * size;
            var pixels = new byte[positions.Count * frameBytes];
            for (var f = 0; f < positions.Count; f++)
            {
                CropSampler.CropAndResize(buffer[positions[f]].Image, region, size, pixels, f * frameBytes);
            }

            // The window outlives any dispose scope of the caller: the pose worker disposes it.
            var window = tensor(pixels, [positions.Count, 3, size, size]).DetachFromDisposeScope();
            windows.Add(new WindowItem(new PoseWindow(keyFrame.Video, keyFrame.Index, keyFrame.PresentationTime, person.TrackId, person.Box, person.Score, region, window)));
        }

        return windows;
    }
}
