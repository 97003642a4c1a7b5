using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

// Functions over several tensors, and PyTorch's torch.* spellings of tensor methods.
public static partial class torch
{
    private static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++)
        {
            handles[i] = tensors[i].Handle.DangerousGetHandle();
        }

        return handles;
    }

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var result = Tensor.Wrap(ts_cat(Handles(tensors), tensors.Count, dim, out var r), r);
        GC.KeepAlive(tensors);
        return result;
    }

    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var result = Tensor.Wrap(ts_stack(Handles(tensors), tensors.Count, dim, out var r), r);
        GC.KeepAlive(tensors);
        return result;
    }

    public static Tensor einsum(string equation, params Tensor[] operands)
    {
        var result = Tensor.Wrap(ts_einsum(equation, Handles(operands), operands.Length, out var r), r);
        GC.KeepAlive(operands);
        return result;
    }

    public static Tensor where(Tensor condition, Tensor x, Tensor y) => Tensor.Wrap(ts_where(condition.Handle, x.Handle, y.Handle, out var r), r);
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor exp(Tensor a) => a.exp();
    public static Tensor log(Tensor a) => a.log();
    public static Tensor sqrt(Tensor a) => a.sqrt();
    public static Tensor abs(Tensor a) => a.abs();
    public static Tensor sigmoid(Tensor a) => a.sigmoid();
    public static Tensor tanh(Tensor a) => a.tanh();
    public static Tensor softmax(Tensor a, long dim) => a.softmax(dim);
    public static Tensor log_softmax(Tensor a, long dim) => a.log_softmax(dim);
    public static Tensor clamp(Tensor a, Scalar? min = null, Scalar? max = null) => a.clamp(min, max);
    public static Tensor flatten(Tensor a, long start_dim = 0, long end_dim = -1) => a.flatten(start_dim, end_dim);
    public static Tensor[] split(Tensor a, long size, long dim = 0) => a.split(size, dim);
    public static Tensor[] chunk(Tensor a, long chunks, long dim = 0) => a.chunk(chunks, dim);
    public static Tensor squeeze(Tensor a, long dim) => a.squeeze(dim);
    public static Tensor unsqueeze(Tensor a, long dim) => a.unsqueeze(dim);
    public static Tensor gather(Tensor a, long dim, Tensor index) => a.gather(dim, index);
    public static Tensor index_select(Tensor a, long dim, Tensor index) => a.index_select(dim, index);
    public static Tensor permute(Tensor a, params long[] order) => a.permute(order);
    public static Tensor transpose(Tensor a, long dim0, long dim1) => a.transpose(dim0, dim1);
    public static Tensor narrow(Tensor a, long dim, long start, long length) => a.narrow(dim, start, length);
    public static Tensor sum(Tensor a) => a.sum();
    public static Tensor mean(Tensor a) => a.mean();
    public static Tensor argmax(Tensor a, long dim, bool keepdim = false) => a.argmax(dim, keepdim);
    public static (Tensor values, Tensor indexes) topk(Tensor a, long k, long dim = -1, bool largest = true, bool sorted = true) => a.topk(k, dim, largest, sorted);
    public static Tensor norm(Tensor a, double p = 2) => a.norm(p);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => a.allclose(b, rtol, atol);
}
