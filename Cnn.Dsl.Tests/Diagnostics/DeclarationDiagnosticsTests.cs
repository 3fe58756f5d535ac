using Microsoft.CodeAnalysis;

namespace Cnn.Dsl.Tests.Diagnostics;

/// <summary>The declaration diagnostics (CNN0008–CNN0010, CNN0015): id, severity, exact message, exact span.</summary>
public class DeclarationDiagnosticsTests
{
    [Fact]
    public void CNN0008_a_network_class_that_is_not_partial_is_reported_at_its_name()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten, Dense(10)]
            public class Net;
            """);

        Assert.Equal(("CNN0008", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Network 'Net' must be declared partial so the generator can complete it", d.Message);
        Assert.Equal(new Place("Network.cs", 5, 14, 5, 17, "Net"), d.At);
    }

    [Fact]
    public void CNN0008_names_the_containing_type_that_is_not_partial()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            public static class Zoo
            {
                [Network(1, 28, 28)]
                [Flatten, Dense(10)]
                public partial class Net;
            }
            """);

        Assert.Equal(("CNN0008", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Network 'Net' is nested in 'Zoo', which must be declared partial so the generator can complete it", d.Message);
        Assert.Equal((7, 26, "Net"), (d.At.Line, d.At.Column, d.At.Text));
    }

    [Fact]
    public void CNN0009_layers_on_a_class_with_neither_Network_nor_Block_are_reported_at_the_first_layer()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Conv(16, 5), Relu]
            [Flatten, Dense(10)]
            public partial class Stray;
            """);

        Assert.Equal(("CNN0009", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("'Stray' has layer attributes but neither [Network(c, h, w)] nor [Block]: add [Network] with the input shape, or [Block] to reuse the layers", d.Message);
        Assert.Equal(new Place("Network.cs", 3, 2, 3, 13, "Conv(16, 5)"), d.At);
    }

    [Fact]
    public void CNN0010_layers_split_over_two_declarations_are_reported_at_the_first_layer_of_the_second()
    {
        var d = AnalyzerRun.Single(
            """
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            namespace Nets;
            [Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0010", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Layer attributes of 'Net' are spread over several partial declarations; put them all on one, so their order is the order written", d.Message);
        Assert.Equal(new Place("File1.cs", 3, 2, 3, 11, "Dense(10)"), d.At);
    }

    [Fact]
    public void CNN0015_a_class_both_Network_and_Block_is_reported_at_its_name()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28), Block]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0015", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("'Net' is marked both [Network] and [Block]: a class is either a network or a reusable block", d.Message);
        Assert.Equal(new Place("Network.cs", 5, 22, 5, 25, "Net"), d.At);
    }

    [Fact]
    public void CNN0015_a_static_network_is_reported_at_its_name()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten, Dense(10)]
            public static partial class Net;
            """);

        Assert.Equal(("CNN0015", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Network 'Net' is static: a network has instances holding its weights", d.Message);
        Assert.Equal((5, 29, "Net"), (d.At.Line, d.At.Column, d.At.Text));
    }

    [Fact]
    public void A_valid_network_has_no_diagnostics()
    {
        Assert.Empty(AnalyzerRun.Cnn("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
            public partial class LeNet5;
            """));
    }
}
