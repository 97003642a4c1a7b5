using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

/// <summary>Turns the shim's status codes into exceptions carrying libtorch's message.</summary>
internal static class Status
{
    public static void Check(int status)
    {
        if (status != 0)
        {
            Throw();
        }
    }

    // Kept out of Check so the hot path stays small enough to inline.
    private static void Throw()
    {
        var message = Marshal.PtrToStringUTF8(LibTorchShim.ts_last_error());
        throw new TorchException(string.IsNullOrEmpty(message) ? "libtorch reported an error without a message" : message);
    }
}
