using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    // tensor[...] reads and writes, composed from select / slice / unsqueeze views and, for
    // tensor indices, one advanced-indexing call over the resulting dimensions.
    public partial class Tensor
    {
        public Tensor this[params TensorIndex[] indices]
        {
            get => Index(indices);
            set => IndexPut(indices, value);
        }

        public Tensor this[long index] => select(0, index);

        /// <summary>Writes a scalar into the selected elements.</summary>
        public void index_fill_(TensorIndex[] indices, Scalar value)
        {
            using var view = BasicView(indices, out var advanced);
            if (advanced is null)
            {
                view.fill_(value);
                return;
            }

            using var values = full([], value, view.dtype, view.device);
            PutAdvanced(view, advanced, values);
        }

        private Tensor Index(TensorIndex[] indices)
        {
            var view = BasicView(indices, out var advanced);
            if (advanced is null)
            {
                return view;
            }

            using (view)
            {
                var handles = advanced.Select(t => t?.Handle.DangerousGetHandle() ?? IntPtr.Zero).ToArray();
                var result = Wrap(ts_index(view.Handle, handles, handles.Length, out var r), r);
                GC.KeepAlive(advanced);
                return result;
            }
        }

        private void IndexPut(TensorIndex[] indices, Tensor value)
        {
            using var view = BasicView(indices, out var advanced);
            if (advanced is null)
            {
                view.copy_(value);
            }
            else
            {
                PutAdvanced(view, advanced, value);
            }
        }

        private static void PutAdvanced(Tensor view, Tensor?[] advanced, Tensor value)
        {
            var handles = advanced.Select(t => t?.Handle.DangerousGetHandle() ?? IntPtr.Zero).ToArray();
            Native.Status.Check(ts_index_put_(view.Handle, handles, handles.Length, value.Handle, 0));
            GC.KeepAlive(advanced);
        }

        // Applies the basic indices (views of this tensor) and collects tensor indices by the
        // dimension of the resulting view they apply to. Returns a new handle either way.
        private Tensor BasicView(TensorIndex[] indices, out Tensor?[]? advanced)
        {
            var ndims = dim();
            var consumed = indices.Count(i => i.ConsumesDimension);
            if (consumed > ndims)
            {
                throw new IndexOutOfRangeException($"too many indices ({consumed}) for a tensor of {ndims} dimensions");
            }

            var current = alias();
            List<(long Dim, Tensor Index)>? tensors = null;
            long cursor = 0;
            foreach (var index in indices)
            {
                Tensor next;
                switch (index.IndexKind)
                {
                    case TensorIndex.Kind.Single:
                        next = current.select(cursor, index.Start);
                        break;
                    case TensorIndex.Kind.Slice:
                        next = current.slice(cursor, index.Start, index.Stop ?? long.MaxValue, index.Step);
                        cursor++;
                        break;
                    case TensorIndex.Kind.None:
                        next = current.unsqueeze(cursor);
                        cursor++;
                        break;
                    case TensorIndex.Kind.Ellipsis:
                        cursor += ndims - consumed;
                        continue;
                    default:
                        (tensors ??= []).Add((cursor, index.TensorValue!));
                        cursor++;
                        continue;
                }

                current.Dispose();
                current = next;
            }

            advanced = null;
            if (tensors is not null)
            {
                advanced = new Tensor?[tensors.Max(t => t.Dim) + 1];
                foreach (var (d, t) in tensors)
                {
                    advanced[d] = t;
                }
            }

            return current;
        }
    }
}
