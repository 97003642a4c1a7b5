using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Export;

/// <summary>
/// "CVAT for video 1.1" XML for one video, with one skeleton track per person, as CVAT's own
/// exporter writes it (cvat/apps/dataset_manager/formats/cvat.py):
/// <list type="bullet">
/// <item>`meta/task` declares the skeleton label `person` (its 17 COCO points as sublabels, the limbs as
/// the label's SVG edges) with an immutable number attribute <see cref="TrackAttribute"/>, our track
/// id: CVAT renumbers tracks on import. CVAT's importer matches labels against the task's, so the task
/// needs this label (create it from the same SVG), and ignores the rest of `meta`;</item>
/// <item>every row is a keyframe (`keyframe="1"`) listing all 17 points, a keypoint below the export's score
/// floor `outside="1"`; the frame after a track's last row before a gap, and after its end, gets a
/// keyframe with every point outside, so CVAT neither interpolates across gaps nor carries the
/// last pose on to the end of the video (none past the last frame, which CVAT would refuse);</item>
/// <item>frame numbers are our frame_index: the index among decoded frames, which is how CVAT numbers a
/// video task's frames (start frame 0, no frame step).</item>
/// </list>
/// </summary>
public static class CvatVideoFile
{
    /// <summary>The attribute holding our track id (not "track_id", a name CVAT reserves on dataset imports).</summary>
    public const string TrackAttribute = "pipeline_track_id";

    public const string Label = "person";

    public static Task WriteAsync(string path, ExportVideo video, ExportOptions options, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            await using var xml = XmlWriter.Create(stream, new XmlWriterSettings { Async = true, Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
            await xml.WriteStartDocumentAsync();
            xml.WriteStartElement("annotations");
            xml.WriteElementString("version", "1.1");
            WriteMeta(xml, video);
            var lastFrame = video.Frames.Count - 1;
            var trackNumber = 0;
            foreach (var track in video.Rows.GroupBy(r => r.TrackId).OrderBy(g => g.Key))
            {
                xml.WriteStartElement("track");
                xml.WriteAttributeString("id", Text(trackNumber++));
                xml.WriteAttributeString("label", Label);
                xml.WriteAttributeString("source", "auto");
                var rows = track.OrderBy(r => r.FrameIndex).ToList();
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    WriteSkeleton(xml, row.FrameIndex, row.Keypoints, k => !options.Keeps(k), track.Key);
                    var next = i + 1 < rows.Count ? rows[i + 1].FrameIndex : long.MaxValue;
                    if (next != row.FrameIndex + 1 && row.FrameIndex < lastFrame)
                    {
                        WriteSkeleton(xml, row.FrameIndex + 1, row.Keypoints, _ => true, track.Key);
                    }
                }

                xml.WriteEndElement();
                await xml.FlushAsync();
            }

            xml.WriteEndElement();
            await xml.WriteEndDocumentAsync();
        }, cancellationToken);

    private static void WriteSkeleton(XmlWriter xml, long frame, IReadOnlyList<Keypoint> keypoints, Func<Keypoint, bool> outside, int trackId)
    {
        xml.WriteStartElement("skeleton");
        xml.WriteAttributeString("frame", Text(frame));
        xml.WriteAttributeString("keyframe", "1");
        xml.WriteAttributeString("z_order", "0");
        for (var k = 0; k < CocoKeypoints.Count; k++)
        {
            xml.WriteStartElement("points");
            xml.WriteAttributeString("label", CocoKeypoints.Names[k]);
            xml.WriteAttributeString("keyframe", "1");
            xml.WriteAttributeString("outside", outside(keypoints[k]) ? "1" : "0");
            xml.WriteAttributeString("occluded", "0");
            xml.WriteAttributeString("points", $"{Text(keypoints[k].X)},{Text(keypoints[k].Y)}");
            xml.WriteEndElement();
        }

        // Immutable attributes count from a track's last keyframe, so every keyframe carries it.
        xml.WriteStartElement("attribute");
        xml.WriteAttributeString("name", TrackAttribute);
        xml.WriteString(Text(trackId));
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void WriteMeta(XmlWriter xml, ExportVideo video)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
        var stop = Text(Math.Max(0, video.Frames.Count - 1));
        xml.WriteStartElement("meta");
        xml.WriteStartElement("task");
        xml.WriteElementString("id", "1");
        xml.WriteElementString("name", video.VideoId);
        xml.WriteElementString("size", Text(video.Frames.Count));
        xml.WriteElementString("mode", "interpolation");
        xml.WriteElementString("overlap", "0");
        xml.WriteElementString("bugtracker", "");
        xml.WriteElementString("created", now);
        xml.WriteElementString("updated", now);
        xml.WriteElementString("subset", "default");
        xml.WriteElementString("start_frame", "0");
        xml.WriteElementString("stop_frame", stop);
        xml.WriteElementString("frame_filter", "");
        xml.WriteStartElement("segments");
        xml.WriteStartElement("segment");
        xml.WriteElementString("id", "1");
        xml.WriteElementString("start", "0");
        xml.WriteElementString("stop", stop);
        xml.WriteElementString("url", "");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("labels");
        xml.WriteStartElement("label");
        xml.WriteElementString("name", Label);
        xml.WriteElementString("color", "#66ff66");
        xml.WriteElementString("type", "skeleton");
        xml.WriteStartElement("attributes");
        xml.WriteStartElement("attribute");
        xml.WriteElementString("name", TrackAttribute);
        xml.WriteElementString("mutable", "False");
        xml.WriteElementString("input_type", "number");
        xml.WriteElementString("default_value", "0");
        xml.WriteElementString("values", "0\n2147483647\n1");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteElementString("svg", SkeletonSvg());
        xml.WriteEndElement();
        foreach (var name in CocoKeypoints.Names)
        {
            xml.WriteStartElement("label");
            xml.WriteElementString("name", name);
            xml.WriteElementString("color", "#b3b3b3");
            xml.WriteElementString("type", "points");
            xml.WriteElementString("attributes", "");
            xml.WriteElementString("parent", Label);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteStartElement("original_size");
        xml.WriteElementString("width", Text(video.Frames.Width));
        xml.WriteElementString("height", Text(video.Frames.Height));
        xml.WriteEndElement();
        xml.WriteElementString("source", Path.GetFileName(video.VideoUri));
        xml.WriteEndElement();
        xml.WriteElementString("dumped", now);
        xml.WriteEndElement();
    }

    /// <summary>Where each COCO joint sits in the label's drawing (a 100 × 100 canvas, the figure facing the viewer).</summary>
    private static readonly (float X, float Y)[] Template =
    [
        (50, 10), (53, 8), (47, 8), (56, 10), (44, 10), (60, 25), (40, 25), (65, 40), (35, 40),
        (68, 55), (32, 55), (57, 55), (43, 55), (58, 72), (42, 72), (58, 90), (42, 90),
    ];

    /// <summary>The skeleton label's SVG as CVAT exports it: one edge line per limb (node ids 1-based), one circle per point, named by data-label-name.</summary>
    public static string SkeletonSvg()
    {
        var svg = new System.Text.StringBuilder();
        foreach (var limb in CocoKeypointsFile.Skeleton)
        {
            var (a, b) = (Template[limb[0] - 1], Template[limb[1] - 1]);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{a.X}\" y1=\"{a.Y}\" x2=\"{b.X}\" y2=\"{b.Y}\" stroke=\"black\" data-type=\"edge\" data-node-from=\"{limb[0]}\" stroke-width=\"0.5\" data-node-to=\"{limb[1]}\"></line>");
        }

        for (var k = 0; k < CocoKeypoints.Count; k++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle r=\"1.5\" stroke=\"black\" fill=\"#b3b3b3\" cx=\"{Template[k].X}\" cy=\"{Template[k].Y}\" stroke-width=\"0.1\" data-type=\"element node\" data-element-id=\"{k + 1}\" data-node-id=\"{k + 1}\" data-label-name=\"{CocoKeypoints.Names[k]}\"></circle>");
        }

        return svg.ToString();
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/>: one person per keyframe that has a point inside, outside points null.</summary>
    public static IReadOnlyList<ExportedPerson> Read(string path, string videoId)
    {
        var document = XDocument.Load(path);
        var people = new List<ExportedPerson>();
        foreach (var track in document.Root!.Elements("track"))
        {
            foreach (var skeleton in track.Elements("skeleton"))
            {
                var points = skeleton.Elements("points").ToDictionary(p => (string)p.Attribute("label")!);
                var keypoints = CocoKeypoints.Names.Select(n =>
                {
                    var p = points[n];
                    if ((string?)p.Attribute("outside") == "1")
                    {
                        return (Keypoint?)null;
                    }

                    var xy = ((string)p.Attribute("points")!).Split(',');
                    return new Keypoint(float.Parse(xy[0], CultureInfo.InvariantCulture), float.Parse(xy[1], CultureInfo.InvariantCulture), 1);
                }).ToArray();
                if (keypoints.All(k => k is null))
                {
                    continue;
                }

                var trackId = int.Parse(skeleton.Elements("attribute").Single(a => (string?)a.Attribute("name") == TrackAttribute).Value, CultureInfo.InvariantCulture);
                people.Add(new ExportedPerson(videoId, long.Parse((string)skeleton.Attribute("frame")!, CultureInfo.InvariantCulture), trackId, default(BoundingBox), keypoints));
            }
        }

        return people;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
