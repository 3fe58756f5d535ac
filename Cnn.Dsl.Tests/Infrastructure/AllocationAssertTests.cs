using System;
using Xunit.Sdk;

namespace Cnn.Dsl.Tests.Infrastructure;

/// <summary>The allocation assertion fails on a pass that allocates, and passes on one that does not.</summary>
public class AllocationAssertTests
{
    [Fact]
    public void A_pass_that_allocates_fails()
    {
        var kept = Array.Empty<object>();
        var error = Assert.Throws<TrueException>(() => AllocationAssert.SteadyStateAllocatesNothing(() => kept = new object[4]));
        Assert.Contains("allocated in a window no GC paused", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, kept.Length);
    }

    [Fact]
    public void A_pass_that_allocates_nothing_passes()
    {
        var values = new float[64];
        AllocationAssert.SteadyStateAllocatesNothing(() => values.AsSpan().Fill(1f));
        Assert.Equal(1f, values[^1]);
    }
}
