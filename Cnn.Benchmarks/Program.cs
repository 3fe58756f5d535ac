using System;
using Cnn.Benchmarks.Models;

Console.WriteLine($"lenet5 {new LeNet5().Layout.Count} {LeNet5.ParameterCount} {Bn2Conv.ParameterCount} {SimpleCnn.ParameterCount} {ResNet8.ParameterCount}");
Console.WriteLine(ResNet8.Summary);
