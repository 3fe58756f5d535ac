using System;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Training;

public class MetricsTests
{
    // Three samples of 3 classes: predicted 0 (right), 2 (actual 1), 1 (right).
    private static readonly float[] Logits = [2f, 1f, 0f, 0f, 1f, 3f, -1f, 5f, 4f];
    private static readonly int[] Labels = [0, 1, 1];

    [Fact]
    public void Running_loss_weights_each_batch_by_its_size()
    {
        var loss = new RunningLoss();
        Assert.True(double.IsNaN(loss.Mean));

        loss.Add(1.0, 4);
        loss.Add(0.25, 2);

        Assert.Equal(0.75, loss.Mean, 12);
        Assert.Equal(0.25, loss.Last);
        Assert.Equal(6, loss.Samples);
        loss.Reset();
        Assert.Equal(0, loss.Samples);
    }

    [Fact]
    public void Batch_predictions_are_the_arg_max_of_each_row()
    {
        var matrix = new ConfusionMatrix(3);
        matrix.AddBatch(Logits, Labels);

        Assert.Equal(1, matrix[0, 0]);
        Assert.Equal(1, matrix[1, 2]);
        Assert.Equal(1, matrix[1, 1]);
        Assert.Equal(3, matrix.Total);
        Assert.Equal(2, matrix.Correct);
        Assert.Equal(2.0 / 3, matrix.Accuracy, 12);
        Assert.Equal(1.0, matrix.ClassAccuracy(0));
        Assert.Equal(0.5, matrix.ClassAccuracy(1));
        Assert.True(double.IsNaN(matrix.ClassAccuracy(2)));
        Assert.Equal(0.0, matrix.Precision(2));
        Assert.Equal(2, matrix.Support(1));
    }

    [Fact]
    public void The_table_reads_rows_as_actual_and_columns_as_predicted()
    {
        var matrix = new ConfusionMatrix(3, ["cat", "dog", "bird"]);
        matrix.AddBatch(Logits, Labels);
        for (var i = 0; i < 10; i++)
        {
            matrix.Add(2, 2);
        }

        var expected = string.Join(Environment.NewLine,
            "actual \\ predicted   cat   dog  bird  accuracy",
            "cat                    1     0     0   100.00%",
            "dog                    0     1     1    50.00%",
            "bird                   0     0    10   100.00%",
            "accuracy 92.31% (12/13)");
        Assert.Equal(expected, matrix.ToString());
    }

    [Fact]
    public void Metrics_combine_loss_and_accuracy_and_reset_per_epoch()
    {
        var metrics = new Metrics(3);
        metrics.AddBatch(0.5, Logits, Labels);

        Assert.Equal("loss 0.5000, accuracy 66.67%", metrics.ToString());
        Assert.Equal([1.0, 0.5, double.NaN], metrics.ClassAccuracies());
        metrics.Reset();
        Assert.Equal("loss NaN, accuracy -", metrics.ToString());
    }

    [Fact]
    public void A_bad_label_is_rejected_without_counting_the_batch()
    {
        var matrix = new ConfusionMatrix(3);

        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.AddBatch(Logits, [0, 3, 1]));
        Assert.Throws<ArgumentException>(() => matrix.AddBatch(Logits, [0, 1]));
        Assert.Equal(0, matrix.Total);
    }

    [Fact]
    public void Matrices_from_several_workers_add_up()
    {
        var first = new ConfusionMatrix(3);
        var second = new ConfusionMatrix(3);
        first.AddBatch(Logits, Labels);
        second.Add(2, 0);

        first.Add(second);

        Assert.Equal(4, first.Total);
        Assert.Equal(2, first.Correct);
        Assert.Equal(1, first[2, 0]);
        Assert.Throws<ArgumentException>(() => first.Add(new ConfusionMatrix(2)));
    }
}
