using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Dsl.Tests.Network.Checks;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>What <see cref="NetworkBase.StatementTimer"/> is told: every statement of worker 0's passes, numbered by <see cref="NetworkBase.Steps"/>, on the calling thread.</summary>
public sealed class StatementTimerTests
{
    [Fact]
    public void A_training_step_marks_each_forward_statement_the_loss_and_each_backward_statement_in_order()
    {
        using var net = new Plain(seed: 1, workers: 2);
        var layers = net.Steps.Count;
        var timer = new RecordingTimer();
        net.StatementTimer = timer;
        var input = Enumerable.Range(0, 4 * 2 * 7 * 7).Select(i => MathF.Sin(i)).ToArray();
        net.ForwardBackward(input, [0, 1, 2, 1], 4);

        Assert.All(timer.Threads, thread => Assert.Equal(Environment.CurrentManagedThreadId, thread));
        Assert.Equal(1, timer.Starts);
        var loss = timer.Marks.IndexOf(IStatementTimer.LossStatement);
        var forward = timer.Marks.Take(loss).ToList();
        var backward = timer.Marks.Skip(loss + 1).ToList();
        // Every forward statement in order, but bn1 and maxpool1, which run in conv1's call.
        Assert.Equal(Enumerable.Range(0, layers).Where(i => net.Steps[i].Name is not ("bn1" or "maxpool1")), forward);
        Assert.Equal("conv1", net.Steps[forward[0]].Name);
        // Every backward statement, last step first (this network trains all of them).
        Assert.Equal(Enumerable.Range(0, layers).Reverse().Select(i => layers + i), backward);
    }

    [Fact]
    public void Inference_marks_the_forward_statements_and_removing_the_timer_stops_the_marks()
    {
        using var net = new Plain(seed: 1, workers: 2);
        var timer = new RecordingTimer();
        net.StatementTimer = timer;
        var input = new float[2 * 7 * 7];
        net.Forward(input, 1, training: false);
        Assert.Equal(1, timer.Starts);
        Assert.Equal(net.Steps.Count - 2, timer.Marks.Count);
        Assert.DoesNotContain(IStatementTimer.LossStatement, timer.Marks);

        net.StatementTimer = null;
        net.Forward(input, 1, training: false);
        Assert.Equal(1, timer.Starts);
        Assert.Equal(net.Steps.Count - 2, timer.Marks.Count);
    }

    private sealed class RecordingTimer : IStatementTimer
    {
        public int Starts { get; private set; }

        public List<int> Marks { get; } = [];

        public List<int> Threads { get; } = [];

        public void Start()
        {
            Starts++;
            Threads.Add(Environment.CurrentManagedThreadId);
        }

        public void Mark(int statement)
        {
            Marks.Add(statement);
            Threads.Add(Environment.CurrentManagedThreadId);
        }
    }
}
