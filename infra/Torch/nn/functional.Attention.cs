using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>
            /// softmax(q·kᵀ·scale + mask)·v over the last two dimensions (PyTorch 2.x semantics: a
            /// boolean mask marks the positions that take part; a float mask is added). Default
            /// scale 1/√E. Dropout applies only when <paramref name="dropout_p"/> &gt; 0.
            /// </summary>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null, double dropout_p = 0, bool is_causal = false, double? scale = null) =>
                Tensor.Wrap(ts_scaled_dot_product_attention(query.Handle, key.Handle, value.Handle, Tensor.HandleOf(attn_mask), dropout_p, is_causal ? 1 : 0, scale ?? 0, out var r), r);
        }
    }
}
