namespace Cnn.Generators.Models;

/// <summary>A parsed network with its inferred shapes: what the emitter reads. Equal by value, so the pipeline caches it.</summary>
internal sealed record InferredModel(NetworkSpec Spec, InferredNetwork Network);

/// <summary>One generated file: its hint name and text.</summary>
internal sealed record GeneratedFile(string HintName, string Text);
