using Cnn.Dsl.Tests.Infrastructure;

namespace Cnn.Dsl.Tests.Snapshots;

/// <summary>The generated file of a few representative networks, through the real generator, against reviewed snapshots.</summary>
public class GeneratorSnapshotTests
{
    [Fact]
    public void LeNet5() => Generate("""
        using Cnn.Dsl;
        namespace Nets;
        [Network(1, 28, 28)]
        [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
        [Conv(16, 5), Relu, MaxPool(2)]
        [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
        public partial class LeNet5;
        """);

    [Fact]
    public void Residual() => Generate("""
        using Cnn.Dsl;
        namespace Nets;
        [Block]
        [Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
        [Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
        public partial class Basic;

        [Block]
        [Conv(Arg.A, 1, stride: Arg.B, bias: false, Name = "0"), BatchNorm(Name = "1")]
        public partial class Projection;

        [Network(3, 32, 32)]
        [Conv(16, 3, pad: 1, bias: false), BatchNorm, Relu]
        [Residual<Basic>(16, 1, Name = "block1"), Relu]
        [Residual<Basic, Projection>(32, 2, Name = "block2", ShortcutName = "downsample"), Relu]
        [GlobalAvgPool, Dense(10, Name = "fc")]
        public partial class SmallResNet;
        """);

    [Fact]
    public void Inception() => Generate("""
        using Cnn.Dsl;
        namespace Nets;
        [Block] [Conv(Arg.A, 1), Relu] public partial class Branch1x1;
        [Block] [Conv(Arg.B, 1), Relu, Conv(Arg.C, 3, pad: 1), Relu] public partial class Branch3x3;
        [Block] [MaxPool(3, stride: 1, pad: 1), Conv(Arg.D, 1), Relu] public partial class BranchPool;

        [Network(3, 32, 32)]
        [Conv(32, 3, pad: 1), Relu, MaxPool(2)]
        [Concat<Branch1x1, Branch3x3, BranchPool>(16, 24, 32, 8, Name = "mixed1")]
        [MaxPool(2), GlobalAvgPool, Dropout(0.2), Dense(10, Name = "fc")]
        public partial class MiniInception;
        """);

    private static void Generate(string source, [System.Runtime.CompilerServices.CallerFilePath] string file = "", [System.Runtime.CompilerServices.CallerMemberName] string method = "")
    {
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.Errors);
        Snapshot.Verify(run.SingleSource, file, method);
    }
}
