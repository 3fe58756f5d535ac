using System.Threading.Tasks;
using Cnn.Generators.CodeFixes;

namespace Cnn.Dsl.Tests.CodeFixes;

/// <summary>CNN0008's fix: the class, and every containing type that needs it, becomes partial.</summary>
public class MakePartialCodeFixTests
{
    [Fact]
    public async Task A_top_level_network_class_becomes_partial()
    {
        var (fixedProject, title) = await CodeFixRun.FixFirstAsync(new MakePartialCodeFix(), "CNN0008", CodeFixRun.Project("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten, Dense(10)]
            public sealed class Net;
            """));

        Assert.Equal("Make 'Net' partial", title);
        Assert.Equal("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Flatten, Dense(10)]
            public sealed partial class Net;
            """, await CodeFixRun.TextAsync(fixedProject));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
        Assert.Empty(await CodeFixRun.ErrorsAsync(fixedProject));
    }

    [Fact]
    public async Task The_class_and_every_non_partial_containing_type_become_partial_and_partial_ones_are_left_alone()
    {
        var (fixedProject, title) = await CodeFixRun.FixFirstAsync(new MakePartialCodeFix(), "CNN0008", CodeFixRun.Project("""
            using Cnn.Dsl;
            namespace Nets;
            public static class Zoo
            {
                internal partial struct Cage
                {
                    private record Keeper
                    {
                        [Network(1, 28, 28)]
                        [Flatten, Dense(10)]
                        class Net { }
                    }
                }
            }
            """));

        Assert.Equal("Make 'Net' and its containing types partial", title);
        Assert.Equal("""
            using Cnn.Dsl;
            namespace Nets;
            public static partial class Zoo
            {
                internal partial struct Cage
                {
                    private partial record Keeper
                    {
                        [Network(1, 28, 28)]
                        [Flatten, Dense(10)]
                        partial class Net { }
                    }
                }
            }
            """, await CodeFixRun.TextAsync(fixedProject));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
        Assert.Empty(await CodeFixRun.ErrorsAsync(fixedProject));
    }

    [Fact]
    public async Task Fix_all_makes_every_network_and_their_shared_container_partial_once()
    {
        var fixedProject = await CodeFixRun.FixAllAsync(new MakePartialCodeFix(), "CNN0008", nameof(MakePartialCodeFix), CodeFixRun.Project(
            """
            using Cnn.Dsl;
            namespace Nets;
            public class Zoo
            {
                [Network(1, 28, 28)]
                [Flatten, Dense(10)]
                public class Small;

                [Network(3, 32, 32)]
                [Flatten, Dense(10)]
                public class Large;
            }
            """,
            """
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 8, 8)]
            [Flatten, Dense(2)]
            internal class Tiny { }
            """));

        Assert.Equal("""
            using Cnn.Dsl;
            namespace Nets;
            public partial class Zoo
            {
                [Network(1, 28, 28)]
                [Flatten, Dense(10)]
                public partial class Small;

                [Network(3, 32, 32)]
                [Flatten, Dense(10)]
                public partial class Large;
            }
            """, await CodeFixRun.TextAsync(fixedProject));
        Assert.Equal("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 8, 8)]
            [Flatten, Dense(2)]
            internal partial class Tiny { }
            """, await CodeFixRun.TextAsync(fixedProject, "File1.cs"));
        Assert.Empty(await CodeFixRun.DiagnosticsAsync(fixedProject));
        Assert.Empty(await CodeFixRun.ErrorsAsync(fixedProject));
    }
}
