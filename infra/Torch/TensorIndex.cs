namespace Pipeline.Torch;

public static partial class torch
{
    /// <summary>One entry of a <c>tensor[...]</c> expression, as in PyTorch and TorchSharp.</summary>
    public readonly struct TensorIndex
    {
        internal enum Kind
        {
            Single,
            Slice,
            Ellipsis,
            None,
            Tensor,
        }

        private TensorIndex(Kind kind, long start = 0, long? stop = null, long step = 1, Tensor? tensor = null)
        {
            IndexKind = kind;
            Start = start;
            Stop = stop;
            Step = step;
            TensorValue = tensor;
        }

        internal Kind IndexKind { get; }
        internal long Start { get; }
        internal long? Stop { get; }
        internal long Step { get; }
        internal Tensor? TensorValue { get; }

        /// <summary>Selects one position and drops the dimension (negative counts from the end).</summary>
        public static TensorIndex Single(long index) => new(Kind.Single, index);

        /// <summary>start:stop:step (null stop = to the end; negative values count from the end).</summary>
        public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) => new(Kind.Slice, start ?? 0, stop, step);

        public static TensorIndex Ellipsis => new(Kind.Ellipsis);

        /// <summary>Inserts a new dimension of size 1.</summary>
        public static TensorIndex None => new(Kind.None);

        public static TensorIndex Tensor(Tensor index) => new(Kind.Tensor, tensor: index);

        public static implicit operator TensorIndex(long index) => Single(index);
        public static implicit operator TensorIndex(int index) => Single(index);
        public static implicit operator TensorIndex(Tensor index) => Tensor(index);

        public static implicit operator TensorIndex(Range range)
        {
            long start = range.Start.IsFromEnd ? -range.Start.Value : range.Start.Value;
            long? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
            return Slice(start, stop);
        }

        internal bool ConsumesDimension => IndexKind is Kind.Single or Kind.Slice or Kind.Tensor;
    }
}
