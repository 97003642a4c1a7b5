using Pipeline.Torch.Native;

namespace Pipeline.Torch;

public static partial class torch
{
    /// <summary>A number with its kind, so <c>int_tensor + 2</c> stays integer as in PyTorch.</summary>
    public readonly struct Scalar
    {
        private readonly NativeScalar value;

        private Scalar(NativeScalar value) => this.value = value;

        public static implicit operator Scalar(double v) => new(new NativeScalar(v, 0, 0));
        public static implicit operator Scalar(float v) => new(new NativeScalar(v, 0, 0));
        public static implicit operator Scalar(long v) => new(new NativeScalar(v, v, 1));
        public static implicit operator Scalar(int v) => new(new NativeScalar(v, v, 1));
        public static implicit operator Scalar(bool v) => new(new NativeScalar(v ? 1 : 0, v ? 1 : 0, 2));

        public double ToDouble() => value.Kind == 0 ? value.Real : value.Integer;

        internal NativeScalar Native => value;

        public override string ToString() => value.Kind == 0 ? value.Real.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : value.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
