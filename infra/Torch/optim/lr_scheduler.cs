namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>Learning-rate schedules, stepped once per epoch (or per iteration, as the caller chooses).</summary>
        public static class lr_scheduler
        {
            public abstract class LRScheduler
            {
                private protected LRScheduler(Optimizer optimizer)
                {
                    this.optimizer = optimizer;
                    base_lr = optimizer.InitialLearningRate;
                }

                private readonly Optimizer optimizer;

                public double base_lr { get; }

                public int last_epoch { get; private set; }

                public double get_last_lr() => optimizer.LearningRate;

                public void step()
                {
                    last_epoch++;
                    optimizer.LearningRate = LearningRateAt(last_epoch);
                }

                protected abstract double LearningRateAt(int epoch);
            }

            /// <summary>lr = base · gamma^⌊epoch / step_size⌋.</summary>
            public sealed class StepLR(Optimizer optimizer, int step_size, double gamma = 0.1) : LRScheduler(optimizer)
            {
                protected override double LearningRateAt(int epoch) => base_lr * Math.Pow(gamma, epoch / step_size);
            }

            /// <summary>lr = eta_min + (base − eta_min)·(1 + cos(π·epoch / T_max)) / 2, PyTorch's closed form.</summary>
            public sealed class CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0) : LRScheduler(optimizer)
            {
                protected override double LearningRateAt(int epoch) =>
                    eta_min + ((base_lr - eta_min) * (1 + Math.Cos(Math.PI * Math.Min(epoch, T_max) / T_max)) / 2);
            }
        }
    }
}
