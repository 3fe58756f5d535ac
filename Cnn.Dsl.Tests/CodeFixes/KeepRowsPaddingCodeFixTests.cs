using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cnn.Generators.CodeFixes;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Cnn.Dsl.Tests.CodeFixes;

/// <summary>CNN0011's fix: the padding shape inference computed, written as the pad argument.</summary>
public class KeepRowsPaddingCodeFixTests
{
    private static async Task AssertFixedAsync(string source, string expected, string title = "Pad with 1 so no input row or column is dropped")
    {
        var (fixedProject, actual) = await CodeFixRun.FixFirstAsync(new KeepRowsPaddingCodeFix(), "CNN0011", CodeFixRun.Project(source));

        Assert.Equal(title, actual);
        Assert.Equal(expected, await CodeFixRun.TextAsync(fixedProject));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
        Assert.Empty(await CodeFixRun.ErrorsAsync(fixedProject));
    }

    [Fact]
    public async Task A_missing_pad_is_added_as_a_named_argument()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3), Relu]
            [Flatten, Dense(10)]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3, pad: 1), Relu]
            [Flatten, Dense(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task A_pool_gets_pad_before_its_Name()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [MaxPool(3, Name = "pool")]
            [Flatten, Dense(10)]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [MaxPool(3, pad: 1, Name = "pool")]
            [Flatten, Dense(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task A_named_pad_is_replaced()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Network(1, 29, 29)]
            [Conv(8, 3, pad: 0, stride: 4)]
            [Flatten, Dense(10)]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Network(1, 29, 29)]
            [Conv(8, 3, pad: 1, stride: 4)]
            [Flatten, Dense(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task A_positional_pad_is_replaced()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3, 3, 0, 1)]
            [Flatten, Dense(10)]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3, 3, 1, 1)]
            [Flatten, Dense(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task A_layer_inside_a_block_gets_its_pad_in_the_block()
    {
        await AssertFixedAsync(
            """
            using Cnn.Dsl;
            [Block, Conv(8, 3, stride: 3)]
            public partial class Down;
            [Network(1, 28, 28)]
            [Conv(8, 3, pad: 1), Use<Down>]
            [Flatten, Dense(10)]
            public partial class Net;
            """,
            """
            using Cnn.Dsl;
            [Block, Conv(8, 3, stride: 3, pad: 1)]
            public partial class Down;
            [Network(1, 28, 28)]
            [Conv(8, 3, pad: 1), Use<Down>]
            [Flatten, Dense(10)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task No_fix_is_offered_when_pad_is_a_block_placeholder()
    {
        var project = CodeFixRun.Project("""
            using Cnn.Dsl;
            [Block, Conv(8, 3, stride: 3, pad: Arg.A)]
            public partial class Down;
            [Network(1, 28, 28)]
            [Use<Down>(0)]
            [Flatten, Dense(10)]
            public partial class Net;
            """);
        var diagnostic = Assert.Single(await CodeFixRun.DiagnosticsAsync(project));
        Assert.Equal("CNN0011", diagnostic.Id);
        var actions = new List<CodeAction>();

        await new KeepRowsPaddingCodeFix().RegisterCodeFixesAsync(
            new CodeFixContext(project.Documents.Single(), diagnostic, (action, _) => actions.Add(action), CancellationToken.None));

        Assert.Empty(actions);
    }

    [Fact]
    public async Task Fix_all_pads_every_layer_that_drops_rows()
    {
        var fixedProject = await CodeFixRun.FixAllAsync(new KeepRowsPaddingCodeFix(), "CNN0011", nameof(KeepRowsPaddingCodeFix), CodeFixRun.Project(
            """
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3), Relu]
            [Flatten, Dense(10)]
            public partial class First;
            [Network(1, 28, 28)]
            [MaxPool(3), Flatten, Dense(10)]
            public partial class Second;
            """));

        Assert.Equal("""
            using Cnn.Dsl;
            [Network(1, 28, 28)]
            [Conv(8, 3, stride: 3, pad: 1), Relu]
            [Flatten, Dense(10)]
            public partial class First;
            [Network(1, 28, 28)]
            [MaxPool(3, pad: 1), Flatten, Dense(10)]
            public partial class Second;
            """, await CodeFixRun.TextAsync(fixedProject));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
    }
}
