using Cnn.Generators.Emit;

namespace Cnn.Dsl.Tests.Emit;

public class LiteralsTests
{
    [Theory]
    [InlineData("conv1", "\"conv1\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("line\nbreak\ttab", "\"line\\nbreak\\ttab\"")]
    [InlineData("\u0001", "\"\\u0001\"")]
    [InlineData("γ×β", "\"γ×β\"")]
    public void Strings_are_escaped(string value, string literal) => Assert.Equal(literal, Literals.String(value));

    [Theory]
    [InlineData(1e-5, "1E-05f")]
    [InlineData(0.1, "0.1f")]
    [InlineData(1.0, "1f")]
    [InlineData(0.001, "0.001f")]
    public void Floats_round_trip(double value, string literal) => Assert.Equal(literal, Literals.Float(value));

    [Fact]
    public void Numbers_and_xml_are_culture_free_and_escaped()
    {
        Assert.Equal("-1000001", Literals.Int(-1_000_001));
        Assert.Equal("25557032L", Literals.Long(25_557_032));
        Assert.Equal("0.1d", Literals.Double(0.1));
        Assert.Equal("Residual&lt;Basic, Projection&gt; &amp;", Literals.Xml("Residual<Basic, Projection> &"));
    }
}
