using Microsoft.CodeAnalysis;

namespace Cnn.Dsl.Tests.Diagnostics;

/// <summary>
/// The diagnostics shape inference finds (CNN0001–CNN0007, CNN0011–CNN0014, CNN0016), reported by
/// the analyzer on real source: id, severity, exact message, exact span.
/// </summary>
public class ShapeDiagnosticsTests
{
    [Fact]
    public void CNN0001_a_window_larger_than_its_input_is_reported_at_the_layer()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Conv(16, 5)]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0001", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Conv #7 (5×5, stride 1, pad 0) on 16×4×4 gives 0×0 output: the 5×5 window is larger than the padded 4×4 input", d.Message);
        Assert.Equal(new Place("Network.cs", 6, 2, 6, 13, "Conv(16, 5)"), d.At);
        Assert.Empty(d.Additional);
    }

    [Fact]
    public void CNN0002_a_Dense_on_a_map_is_reported_at_the_Dense_with_Flatten_as_fix_data()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(6, 5), Relu, MaxPool(2)]
            [Dense(120), Relu, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0002", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Dense #4 needs a vector but gets 6×12×12: insert Flatten before it", d.Message);
        Assert.Equal(new Place("Network.cs", 5, 2, 5, 12, "Dense(120)"), d.At);
        Assert.Equal("Flatten", d.FixData);
    }

    [Fact]
    public void CNN0003_a_Conv_after_Flatten_is_reported_at_the_Conv()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten, Dense(120)]
            [Conv(6, 5), Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0003", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Conv #3 (5×5, stride 1, pad 0) on 120: Conv needs channels × height × width but gets a vector of 120; move it before Flatten", d.Message);
        Assert.Equal(new Place("Network.cs", 5, 2, 5, 12, "Conv(6, 5)"), d.At);
    }

    [Fact]
    public void CNN0004_a_negative_pad_is_reported_at_the_argument()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(6, 5, pad: -1), Relu]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0004", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Conv #1 (5×5, stride 1, pad -1) on 1×28×28: pad must be at least 0, not -1", d.Message);
        Assert.Equal(new Place("Network.cs", 4, 13, 4, 20, "pad: -1"), d.At);
    }

    [Fact]
    public void CNN0005_a_residual_body_that_changes_the_shape_is_reported_at_the_Residual()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(Arg.A, 3, pad: 1), Relu, Conv(32, 3, pad: 1)]
            public partial class Body;
            [Network(3, 32, 32)]
            [Conv(16, 3, pad: 1), Residual<Body>(16)]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0005", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Residual #2 (Body with 16) on 16×32×32: block Body gives 32×32×32, but a residual adds it to its input 16×32×32; keep the shape in the body, or add a shortcut block that projects the input (Residual<Body, TShortcut>)", d.Message);
        Assert.Equal(new Place("Network.cs", 6, 23, 6, 41, "Residual<Body>(16)"), d.At);
    }

    [Fact]
    public void CNN0006_concat_branches_of_different_sizes_are_reported_at_the_Concat()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(8, 3, pad: 1)]
            public partial class Same;
            [Block, Conv(8, 3)]
            public partial class Shrinks;
            [Network(3, 32, 32)]
            [Concat<Same, Shrinks>]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0006", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Concat #1 (Same, Shrinks) on 3×32×32: Same gives 8×32×32, Shrinks gives 8×30×30; Concat joins maps of one height and width along their channels", d.Message);
        Assert.Equal(new Place("Network.cs", 8, 2, 8, 23, "Concat<Same, Shrinks>"), d.At);
    }

    [Fact]
    public void CNN0007_blocks_using_each_other_are_reported_at_the_use_site_with_the_closing_use_as_additional_location()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(8, 3, pad: 1), Use<Pong>]
            public partial class Ping;
            [Block, Relu, Use<Ping>]
            public partial class Pong;
            [Network(3, 32, 32)]
            [Use<Ping>]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0007", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Use #2 in block Pong at ping1.pong1.ping1 uses block Ping inside itself (Ping → Pong → Ping): a block cannot contain itself, directly or through other blocks", d.Message);
        Assert.Equal(new Place("Network.cs", 8, 2, 8, 11, "Use<Ping>"), d.At);
        Assert.Equal(new Place("Network.cs", 5, 15, 5, 24, "Use<Ping>"), Assert.Single(d.Additional));
    }

    [Fact]
    public void CNN0011_a_stride_that_drops_rows_warns_at_the_layer_with_the_padding_that_keeps_them()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3), Relu]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0011", DiagnosticSeverity.Warning), (d.Id, d.Severity));
        Assert.Equal("Conv #1 (3×3, stride 3, pad 0) on 1×28×28 gives 8×9×9 and never reads the last row and column of its input: its 3×3 windows at stride 3 stop short of the edge; pad: 1 keeps them", d.Message);
        Assert.Equal(new Place("Network.cs", 4, 2, 4, 23, "Conv(8, 3, stride: 3)"), d.At);
        Assert.Equal("pad=1", d.FixData);
    }

    [Fact]
    public void CNN0011_inside_a_block_is_reported_at_the_networks_use_site_with_the_block_layer_as_additional_location()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(8, 3, stride: 3)]
            public partial class Down;
            [Network(1, 28, 28)]
            [Conv(8, 3, pad: 1), Use<Down>]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0011", DiagnosticSeverity.Warning), (d.Id, d.Severity));
        Assert.Equal("Conv #1 (3×3, stride 3, pad 0) in block Down at down1.conv1 on 8×28×28 gives 8×9×9 and never reads the last row and column of its input: its 3×3 windows at stride 3 stop short of the edge; pad: 1 keeps them", d.Message);
        Assert.Equal(new Place("Network.cs", 6, 22, 6, 31, "Use<Down>"), d.At);
        Assert.Equal(new Place("Network.cs", 3, 9, 3, 30, "Conv(8, 3, stride: 3)"), Assert.Single(d.Additional));
        Assert.Equal("pad=1", d.FixData);
    }

    [Fact]
    public void CNN0011_is_silenced_by_pragma_warning_disable_and_only_there()
    {
        var reported = AnalyzerRun.Cnn("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3), Relu]
            [Flatten, Dense(10)]
            public partial class Loud;
            #pragma warning disable CNN0011
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3), Relu]
            [Flatten, Dense(10)]
            public partial class Quiet;
            #pragma warning restore CNN0011
            """);

        var d = Assert.Single(reported);
        Assert.Equal(("CNN0011", 4), (d.Id, d.At.Line));
    }

    [Fact]
    public void CNN0012_a_Softmax_before_the_last_layer_warns_at_the_Softmax()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten, Dense(10), Softmax, Relu]
            public partial class Net;
            """);

        Assert.Equal(("CNN0012", DiagnosticSeverity.Warning), (d.Id, d.Severity));
        Assert.Equal("Softmax #3 is followed by Relu #4: training applies softmax inside the cross-entropy loss, so only a last Softmax is right (it is left out of training and shapes the inference output); move it to the end or remove it", d.Message);
        Assert.Equal(new Place("Network.cs", 4, 22, 4, 29, "Softmax"), d.At);
    }

    [Fact]
    public void CNN0013_using_a_class_that_is_not_a_block_is_reported_at_the_use()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            public partial class Plain;
            [Network(1, 28, 28)]
            [Use<Plain>]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0013", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Use #1 uses Plain, which is not a [Block] class: add [Block] to Plain, or use a block", d.Message);
        Assert.Equal(new Place("Network.cs", 5, 2, 5, 12, "Use<Plain>"), d.At);
    }

    [Fact]
    public void CNN0014_a_placeholder_without_a_value_is_reported_at_the_use_site_with_the_argument_in_the_block()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(Arg.A, 3, stride: Arg.B, pad: 1)]
            public partial class Stage;
            [Network(3, 32, 32)]
            [Use<Stage>(16)]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0014", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Conv #1 in block Stage at stage1.conv1 uses Arg.B for stride, but Use #1 (Stage with 16) passes 1 argument: pass at least 2", d.Message);
        Assert.Equal(new Place("Network.cs", 6, 2, 6, 16, "Use<Stage>(16)"), d.At);
        Assert.Equal(new Place("Network.cs", 3, 24, 3, 37, "stride: Arg.B"), Assert.Single(d.Additional));
    }

    [Fact]
    public void CNN0016_two_layers_with_one_name_are_reported_at_the_second()
    {
        var d = AnalyzerRun.Single("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(8, 3, Name = "features"), Relu, Conv(8, 3, Name = "features")]
            [Flatten, Dense(10)]
            public partial class Net;
            """);

        Assert.Equal(("CNN0016", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("Conv #3 and Conv #1 both take the name 'features' at the top level: their parameters would collide; give one of them another Name", d.Message);
        Assert.Equal(new Place("Network.cs", 4, 39, 4, 68, "Conv(8, 3, Name = \"features\")"), d.At);
    }

    [Fact]
    public void A_block_problem_no_use_site_owns_is_reported_once_at_the_block_however_many_networks_use_it()
    {
        var d = AnalyzerRun.Single(
            """
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(8, 3, pad: 1)]
            public partial class Split;
            [Network(1, 28, 28)]
            [Use<Split>, Repeat<Split>(2)]
            [Flatten, Dense(10)]
            public partial class One;
            [Network(1, 28, 28)]
            [Use<Split>]
            [Flatten, Dense(10)]
            public partial class Two;
            """,
            """
            using Cnn.Dsl;
            namespace Nets;
            [Relu]
            public partial class Split;
            """);

        Assert.Equal(("CNN0010", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal(new Place("File1.cs", 3, 2, 3, 6, "Relu"), d.At);
        Assert.Empty(d.Additional);
    }
}
