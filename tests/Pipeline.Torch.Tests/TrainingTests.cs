using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

public sealed class TrainingTests
{
    private static (Tensor X, Tensor Y) Regression(Generator g)
    {
        var x = rand([256, 2], generator: g) * 4 - 2;
        var y = (x[.., 0].sin() + x[.., 1].square() * 0.5).unsqueeze(1);
        return (x, y);
    }

    private static double Train(optim.Optimizer optimizer, Modules.Sequential model, Tensor x, Tensor y, int steps, optim.lr_scheduler.LRScheduler? schedule = null)
    {
        double loss = 0;
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var l = nn.functional.mse_loss(model.forward(x), y);
            l.backward();
            optimizer.step();
            schedule?.step();
            loss = l.item<double>();
        }

        return loss;
    }

    [Fact]
    public void AdamWTrainsASmallNetworkTenfold()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var g = new Generator(0);
        var (x, y) = Regression(g);
        using var model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1));
        var initial = nn.functional.mse_loss(model.forward(x), y).item<double>();
        using var optimizer = new optim.AdamW(model.parameters(), lr: 1e-2);
        var final = Train(optimizer, model, x, y, 400, new optim.lr_scheduler.CosineAnnealingLR(optimizer, 400, 1e-4));
        Assert.True(final < initial / 10, $"loss fell from {initial} to {final} only");
    }

    [Fact]
    public void SgdWithMomentumReducesTheLoss()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var g = new Generator(1);
        var (x, y) = Regression(g);
        using var model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 1));
        var initial = nn.functional.mse_loss(model.forward(x), y).item<double>();
        using var optimizer = new optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9);
        var final = Train(optimizer, model, x, y, 300);
        Assert.True(final < initial / 4, $"loss fell from {initial} to {final} only");
    }

    [Fact]
    public void SchedulesFollowTheirClosedForms()
    {
        using var p = new nn.Parameter(zeros(1));
        using var adam = new optim.AdamW([p], lr: 0.1);
        var step = new optim.lr_scheduler.StepLR(adam, step_size: 2, gamma: 0.5);
        var seen = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            step.step();
            seen.Add(step.get_last_lr());
        }

        Assert.Equal([0.1, 0.05, 0.05, 0.025, 0.025], seen.Select(v => Math.Round(v, 12)));
        using var sgd = new optim.SGD([p], lr: 1.0);
        var cosine = new optim.lr_scheduler.CosineAnnealingLR(sgd, T_max: 4, eta_min: 0);
        var lrs = Enumerable.Range(0, 4).Select(_ =>
        {
            cosine.step();
            return cosine.get_last_lr();
        }).ToArray();
        Assert.Equal([(1 + Math.Cos(Math.PI / 4)) / 2, 0.5, (1 + Math.Cos(3 * Math.PI / 4)) / 2, 0], lrs.Select(v => Math.Round(v, 12)), new ToleranceComparer(1e-9));
    }

    [Fact]
    public void AdamWStepMatchesTheUpdateRuleByHand()
    {
        // One step from zero moments: p ← p·(1 − lr·wd) − lr·g/(|g| + eps) (bias corrections cancel).
        using var scope = NewDisposeScope();
        var p = new nn.Parameter(tensor(new float[] { 1, -2 }));
        using var adam = new optim.AdamW([p], lr: 0.1, weight_decay: 0.5);
        (p * tensor(new float[] { 3, -4 })).sum().backward();
        adam.step();
        var updated = p.data<float>();
        Assert.Equal(1 * (1 - 0.05) - 0.1, updated[0], 5);
        Assert.Equal(-2 * (1 - 0.05) + 0.1, updated[1], 5);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
