using System.Linq;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Dsl.Tests.Zoo;

namespace Cnn.Dsl.Tests.Emit;

public class NetworkGeneratorTests
{
    public static TheoryData<string, string> ValidNetworks => new()
    {
        { "LeNet5", """
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
            public partial class Net;
            """ },
        { "every layer kind", """
            using Cnn.Dsl;
            namespace Nets;
            [Network(3, 32, 32)]
            [Conv(8, 3, stride: 2, pad: 1, dilation: 1, groups: 1, bias: false), BatchNorm(eps: 1e-3, momentum: 0.01), LeakyRelu(0.2)]
            [ConvTranspose(4, 2, stride: 2, bias: false), Elu(0.5), Conv(8, 3, pad: 1, groups: 4), Tanh]
            [MaxPool(3, stride: 2, pad: 1, ceilMode: true), AvgPool(2), Sigmoid, Gelu, Dropout(0.25)]
            [Flatten, Dense(32), BatchNorm, Relu, Dense(10, bias: false), Softmax]
            internal partial class Net;
            """ },
        { "residual with a projection and a repeat", """
            using Cnn.Dsl;
            namespace Nets.Deep;
            [Block] [Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm] public partial class Basic;
            [Block] [Conv(Arg.A, 1, stride: Arg.B, bias: false, Name = "0"), BatchNorm(Name = "1")] public partial class Projection;
            [Block] [Residual<Basic>(Arg.A, 1, Name = ""), Relu] public partial class Unit;
            [Network(3, 16, 16)]
            [Conv(8, 3, pad: 1), Repeat<Unit>(2, 8, Name = "layer1")]
            [Residual<Basic, Projection>(16, 2, ShortcutName = "downsample"), Relu, GlobalAvgPool, Dense(5, Name = "fc")]
            public partial class Net;
            """ },
        { "inception branches", """
            using Cnn.Dsl;
            [Block] [Conv(Arg.A, 1), Relu] public partial class One;
            [Block] [Conv(Arg.B, 1), Relu, Conv(Arg.C, 3, pad: 1), Relu] public partial class Three;
            [Block] [MaxPool(3, stride: 1, pad: 1), Conv(Arg.D, 1)] public partial class Pool;
            [Block] [AvgPool(3, stride: 1, pad: 1)] public partial class Average;
            [Network(4, 12, 12)]
            [Concat<One, Three>(2, 3, 4), Concat<One, Three, Pool>(2, 3, 4, 5), Concat<One, Three, Pool, Average>(1, 1, 1, 1, Name = "mixed")]
            [Use<One>(6), Flatten, Dense(3)]
            public partial class Net;
            """ },
        { "nested in generic and struct types", """
            using Cnn.Dsl;
            namespace Nets;
            public partial class Outer<T>
            {
                internal partial struct Inner
                {
                    [Network(1, 4, 4)]
                    [Flatten, Dense(2, Name = "with \"quotes\" and \\ backslash")]
                    private partial class Net { }
                }
            }
            """ },
    };

    [Theory]
    [MemberData(nameof(ValidNetworks))]
    public void Generated_code_compiles_without_errors(string title, string source)
    {
        var run = GeneratorHarness.Run(source);

        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.SingleSource);
        Assert.True(run.Errors.Count == 0, title + ":\n" + string.Join("\n", run.Errors) + "\n" + run.SingleSource);
    }

    [Fact]
    public void Hint_name_includes_namespace_and_containing_types()
    {
        var run = GeneratorHarness.Run(ValidNetworks.Single(row => (string)row[0] == "nested in generic and struct types")[1].ToString()!);

        Assert.Equal(new[] { "Nets.Outer.Inner.Net.g.cs" }, run.Sources.Keys);
    }

    [Theory]
    [InlineData("[Network(1, 8, 8)] [Conv(4, 9)] public partial class Net;", "CNN0001: output 0×0")]
    [InlineData("[Network(1, 8, 8)] [Conv(4, 3), Dense(10)] public partial class Net;", "CNN0002: Dense without Flatten")]
    [InlineData("[Network(1, 8, 8)] [Conv(4, 3)] public class Net;", "CNN0008: not partial")]
    [InlineData("[Network(1, 8, 8)] [Conv(4)] public partial class Net;", "does not bind (missing argument)")]
    [InlineData("[Network(1, 8, 8)] [Residual<Missing>] public partial class Net;", "does not bind (unknown block)")]
    public void Invalid_or_incomplete_networks_get_no_code_and_no_exception(string declaration, string why)
    {
        var run = GeneratorHarness.Run("using Cnn.Dsl;\n" + declaration);

        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.Sources.Count == 0, why);
    }

    [Fact]
    public void Warnings_do_not_stop_generation()
    {
        // 3×3 windows at stride 2 over 8 columns leave the last one unread: CNN0011, a warning.
        var run = GeneratorHarness.Run("using Cnn.Dsl; [Network(1, 8, 8)] [MaxPool(3, stride: 2), Flatten, Dense(2)] public partial class Net;");

        Assert.Single(run.Sources);
        Assert.Empty(run.Errors);
    }

    [Fact]
    public void Network_attribute_repeated_on_another_partial_declaration_generates_once()
    {
        var run = GeneratorHarness.Run(
            "using Cnn.Dsl; [Network(1, 4, 4)] [Flatten, Dense(2)] public partial class Net;",
            "using Cnn.Dsl; [Network(1, 4, 4)] public partial class Net;");

        Assert.Null(run.Exception);
        Assert.True(run.Sources.Count <= 1);
    }

    [Fact]
    public void Summary_table_in_the_doc_comments_is_what_the_runtime_prints()
    {
        var run = GeneratorHarness.Run("""
            using Cnn.Dsl;
            namespace Cnn.Dsl.Tests.Zoo;
            [Network(1, 28, 28)]
            [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
            public partial class LeNet5;
            """);

        var table = Assert.Single(NetworkEmitterTests.DocCodeBlocks(run.SingleSource));

        Assert.Equal(LeNet5.Summary.ToString(), table);
    }
}
