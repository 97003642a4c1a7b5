namespace Pipeline.Torch.Tests;

public sealed class TorchDevicesTests
{
    [Fact]
    public void ThisMachineHasACpu() => Assert.Equal("cpu", TorchDevices.Available()[0]);

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("cuda", "cuda")]
    [InlineData("cuda:1", "cuda:1")]
    public void KnownDevicesParse(string name, string expected) =>
        Assert.Equal(expected, TorchDevices.Check(name, ["cpu", "cuda:0", "cuda:1"]));

    [Theory]
    [InlineData("cuda", "device 'cuda' does not exist on this machine; it has: cpu")]
    [InlineData("cuda:7", "device 'cuda:7' does not exist on this machine; it has: cpu, cuda:0")]
    [InlineData("gpu", "device 'gpu' is not a device name (use cpu, cuda or cuda:N); this machine has: cpu, cuda:0")]
    [InlineData("cuda:x", "device 'cuda:x' is not a device name")]
    public void MissingOrMalformedDevicesAreRefusedNamingTheDevicesThereAre(string name, string message)
    {
        var available = name == "cuda" ? new[] { "cpu" } : ["cpu", "cuda:0"];
        var error = Assert.Throws<ArgumentException>(() => TorchDevices.Check(name, available));
        Assert.StartsWith(message, error.Message);
    }
}
