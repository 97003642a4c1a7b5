using System.Text.Json;

namespace Pipeline.Stages.Export;

/// <summary>The JSON exports' arrays, written as they go: a long video's file streams to disk instead of building up in memory.</summary>
internal static class JsonArrays
{
    /// <summary>`name: [ {…}, … ]`, one object per item, flushed every 1,024 objects.</summary>
    public static async Task WriteObjectsAsync<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken)
    {
        json.WriteStartArray(name);
        var written = 0;
        foreach (var item in items)
        {
            json.WriteStartObject();
            write(json, item);
            json.WriteEndObject();
            if (++written % 1024 == 0)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
    }

    public static void WriteNumbers(Utf8JsonWriter json, string name, IEnumerable<float> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>0 … count − 1: a video's frame indices.</summary>
    public static IEnumerable<long> Frames(long count)
    {
        for (long frame = 0; frame < count; frame++)
        {
            yield return frame;
        }
    }
}
