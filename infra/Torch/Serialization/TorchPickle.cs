using System.Runtime.InteropServices;
using System.Text;
using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    /// <summary>
    /// Reads a plain <c>dict</c> of tensors written by Python's <c>torch.save</c> (zip format),
    /// e.g. <c>torch.save(dict(model.state_dict()), path)</c>. An OrderedDict cannot be read by
    /// libtorch's unpickler: convert it with <c>dict(...)</c> first.
    /// </summary>
    public static unsafe Dictionary<string, Tensor> load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int status;
        IntPtr names, tensors;
        long count;
        fixed (byte* pointer = bytes)
        {
            status = ts_pickle_load_dict(pointer, bytes.Length, out names, out tensors, out count);
        }

        if (status != 0)
        {
            var message = Marshal.PtrToStringUTF8(ts_last_error());
            throw new TorchException($"{path}: cannot read as a PyTorch dict of tensors: {message}");
        }

        string[] keys;
        try
        {
            keys = ReadNames(names, count);
        }
        finally
        {
            ts_free(names);
        }

        var values = Tensor.WrapList(0, tensors, count);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            result[keys[i]] = values[i];
        }

        return result;
    }

    private static unsafe string[] ReadNames(IntPtr joined, long count)
    {
        var keys = new string[count];
        var cursor = (byte*)joined;
        for (var i = 0; i < count; i++)
        {
            var length = 0;
            while (cursor[length] != 0)
            {
                length++;
            }

            keys[i] = Encoding.UTF8.GetString(cursor, length);
            cursor += length + 1;
        }

        return keys;
    }

    /// <summary>Writes a dict of tensors in the format Python's <c>torch.load</c> reads.</summary>
    public static void save(IReadOnlyDictionary<string, Tensor> tensors, string path)
    {
        var names = tensors.Keys.ToArray();
        var namePointers = names.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        try
        {
            var handles = names.Select(n => tensors[n].Handle.DangerousGetHandle()).ToArray();
            Native.Status.Check(ts_pickle_save_dict(namePointers, handles, names.Length, out var bytes, out var length));
            GC.KeepAlive(tensors);
            try
            {
                using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
                unsafe
                {
                    stream.Write(new ReadOnlySpan<byte>((void*)bytes, checked((int)length)));
                }
            }
            finally
            {
                ts_free(bytes);
            }
        }
        finally
        {
            foreach (var p in namePointers)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }
}
