namespace Pipeline.Stages.Tests;

/// <summary>
/// Tests that compare two training runs bit for bit run alone: beside another test class's torch work in the same
/// process, the resume-identity test once saw its near-zero weights (~1e-30) differ in the last bits (CI, 2026-12-06;
/// alone it passed every time), so concurrent work must not be able to change their arithmetic.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTrainingCollection
{
    public const string Name = "serial training";
}
