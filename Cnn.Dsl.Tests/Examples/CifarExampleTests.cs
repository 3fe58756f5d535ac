using System;
using System.IO;
using CifarExample;
using Cnn.Runtime.Data;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Examples;

/// <summary>Runs the CIFAR example's training entry point on small files in the CIFAR-10 binary format.</summary>
public sealed class CifarExampleTests : IDisposable
{
    private const int RecordsPerTrainBatch = 40;
    private const int TestRecords = 50;

    private readonly string _directory = Directory.CreateTempSubdirectory("cifar-example-").FullName;

    public CifarExampleTests()
    {
        var seed = 1;
        foreach (var name in Cifar10.TrainFiles)
        {
            WriteBatch(Path.Combine(_directory, name), RecordsPerTrainBatch, seed++);
        }
        WriteBatch(Path.Combine(_directory, Cifar10.TestFile), TestRecords, seed);
    }

    [Theory]
    [InlineData("vgg")]
    [InlineData("resnet")]
    public void One_short_epoch_trains_and_reports_the_test_accuracy(string model)
    {
        var settings = new CifarSettings(model, _directory, Epochs: 1, BatchSize: 32, Workers: 1);
        Assert.Null(settings.Problem());
        var output = new StringWriter();

        var test = CifarTraining.Run(settings, output, new PlainTextProgress(output, TimeSpan.FromHours(1)));

        Assert.Equal(TestRecords, test.Samples);
        Assert.InRange(test.Accuracy, 0.0, 1.0);
        Assert.True(double.IsFinite(test.Loss), $"test loss {test.Loss}");
        var text = output.ToString();
        Assert.Contains($"{Cifar10.TrainFiles.Count * RecordsPerTrainBatch} training / {TestRecords} test images", text);
        Assert.Contains($"{model}: test accuracy", text);
    }

    [Fact]
    public void An_unknown_model_is_a_settings_problem() =>
        Assert.Contains("--model", new CifarSettings("alexnet", _directory).Problem());

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Records of one label byte and 3×32×32 pixel bytes; each class has its own mean colour, so the labels are learnable.</summary>
    private static void WriteBatch(string path, int records, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[records * Cifar10.RecordBytes];
        for (var r = 0; r < records; r++)
        {
            var record = bytes.AsSpan(r * Cifar10.RecordBytes, Cifar10.RecordBytes);
            var label = r % 10;
            record[0] = (byte)label;
            var pixels = record[1..];
            var plane = pixels.Length / 3;
            for (var i = 0; i < pixels.Length; i++)
            {
                var mean = 20 + 22 * ((label + i / plane * 3) % 10);
                pixels[i] = (byte)Math.Clamp(mean + random.Next(-20, 21), 0, 255);
            }
        }
        File.WriteAllBytes(path, bytes);
    }
}
