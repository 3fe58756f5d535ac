using System.Threading.Tasks;
using Cnn.Generators.CodeFixes;

namespace Cnn.Dsl.Tests.CodeFixes;

/// <summary>CNN0002's fix: Flatten goes right before the Dense, in the same attribute list.</summary>
public class InsertFlattenCodeFixTests
{
    private static async Task AssertFixedAsync(string source, string expected)
    {
        var (fixedProject, title) = await CodeFixRun.FixFirstAsync(new InsertFlattenCodeFix(), "CNN0002", CodeFixRun.Project(source));

        Assert.Equal("Insert Flatten before this layer", title);
        Assert.Equal(expected, await CodeFixRun.TextAsync(fixedProject));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
        Assert.Empty(await CodeFixRun.ErrorsAsync(fixedProject));
    }

    [Fact]
    public async Task A_Dense_first_in_its_list_gets_Flatten_before_it()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(6, 5), Relu, MaxPool(2)]
            [Dense(120), Relu, Dense(10)]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(6, 5), Relu, MaxPool(2)]
            [Flatten, Dense(120), Relu, Dense(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task A_Dense_after_other_layers_in_its_list_gets_Flatten_between()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(6, 5), Relu, MaxPool(2),Dense(10, Name = "head")]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(6, 5), Relu, MaxPool(2),Flatten, Dense(10, Name = "head")]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task Flatten_is_written_the_way_the_Dense_is()
    {
        await AssertFixedAsync(
            """
            [global::Cnn.Dsl.Network(1, 8, 8)]
            [Cnn.Dsl.ConvAttribute(4, 3)]
            [Cnn.Dsl.DenseAttribute(10)]
            public partial class Net;
            """,
            """
            [global::Cnn.Dsl.Network(1, 8, 8)]
            [Cnn.Dsl.ConvAttribute(4, 3)]
            [Cnn.Dsl.FlattenAttribute, Cnn.Dsl.DenseAttribute(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task A_Dense_inside_a_block_gets_Flatten_in_the_block()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Block]
            [Conv(8, 3), Dense(10)]
            public partial class Head;
            [Network(1, 28, 28)]
            [Use<Head>]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Block]
            [Conv(8, 3), Flatten, Dense(10)]
            public partial class Head;
            [Network(1, 28, 28)]
            [Use<Head>]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task Fix_all_inserts_Flatten_in_every_network()
    {
        var fixedProject = await CodeFixRun.FixAllAsync(new InsertFlattenCodeFix(), "CNN0002", nameof(InsertFlattenCodeFix), CodeFixRun.Project(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(6, 5), Dense(10)]
            public partial class First;
            [Network(3, 32, 32)]
            [MaxPool(2)]
            [Dense(10)]
            public partial class Second;
            """));

        Assert.Equal("""
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(6, 5), Flatten, Dense(10)]
            public partial class First;
            [Network(3, 32, 32)]
            [MaxPool(2)]
            [Flatten, Dense(10)]
            public partial class Second;
            """, await CodeFixRun.TextAsync(fixedProject));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
    }

    [Fact]
    public async Task Fix_all_inserts_one_Flatten_in_a_block_that_several_networks_reach()
    {
        var fixedProject = await CodeFixRun.FixAllAsync(new InsertFlattenCodeFix(), "CNN0002", nameof(InsertFlattenCodeFix), CodeFixRun.Project(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3), Use<Head>]
            public partial class First;
            [Network(3, 32, 32)]
            [Use<Head>]
            public partial class Second;
            """,
            """
            using Cnn.Dsl;
            [Block, Dense(10)]
            public partial class Head;
            """));

        Assert.Equal("""
            using Cnn.Dsl;
            [Block, Flatten, Dense(10)]
            public partial class Head;
            """, await CodeFixRun.TextAsync(fixedProject, "File1.cs"));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
    }
}
