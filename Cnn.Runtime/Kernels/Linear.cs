using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Fully connected layer (the DSL's Dense, PyTorch's Linear) on row-major batches:
/// <c>y[n, out] = x[n, in] · Wᵀ + b</c> with W stored [out, in]. No allocation. The forward pass on the
/// vector paths is row dot products (<see cref="LinearRowDots"/>: no packing, and each output summed in an
/// order independent of the batch size); the scalar forward and both gradients are GEMMs.
/// </summary>
public static class Linear
{
    /// <summary>Floats of scratch every entry point of this class needs.</summary>
    /// <param name="n">Batch size (the largest the caller will pass).</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(int n, int inFeatures, int outFeatures) => Math.Max(
        Math.Max(Gemm.ScratchLength(n, outFeatures, inFeatures), DenseDataGradient.ScratchLength(n, inFeatures, outFeatures)),
        Math.Max(Gemm.ScratchLength(n, inFeatures, outFeatures), Gemm.ScratchLength(outFeatures, inFeatures, n)));

    /// <summary><c>y = x · Wᵀ + b</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="x">Input, [n, inFeatures].</param>
    /// <param name="weight">Weight, [outFeatures, inFeatures].</param>
    /// <param name="bias">Bias, [outFeatures], or empty.</param>
    /// <param name="y">Output, [n, outFeatures] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Forward(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        if (LinearRowDots.Supports(path))
        {
            LinearRowDots.Forward(n, inFeatures, outFeatures, x, weight, bias.IsEmpty ? bias : bias[..outFeatures], y, path);
            return;
        }
        Gemm.Multiply(false, true, n, outFeatures, inFeatures, x, inFeatures, weight, inFeatures, y, outFeatures, false, scratch, path);
        if (!bias.IsEmpty)
        {
            for (var s = 0; s < n; s++)
            {
                var row = y.Slice(s * outFeatures, outFeatures);
                TensorPrimitives.Add(row, bias[..outFeatures], row);
            }
        }
    }

    /// <summary>Data gradient: <c>dx (+)= dy · W</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="dy">Output gradient, [n, outFeatures].</param>
    /// <param name="weight">Weight, [outFeatures, inFeatures].</param>
    /// <param name="dx">Input gradient, [n, inFeatures].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardData(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        if (DenseDataGradient.Supports(path, inFeatures))
        {
            DenseDataGradient.Run(n, inFeatures, outFeatures, dy, weight, dx, accumulate, scratch);
            return;
        }
        Gemm.Multiply(false, false, n, inFeatures, outFeatures, dy, outFeatures, weight, inFeatures, dx, inFeatures, accumulate, scratch, path);
    }

    /// <summary>Weight and bias gradients: <c>dW (+)= dyᵀ · x</c>, <c>db (+)= Σₙ dy[n, ·]</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="x">Input, [n, inFeatures].</param>
    /// <param name="dy">Output gradient, [n, outFeatures].</param>
    /// <param name="dWeight">Weight gradient, [outFeatures, inFeatures].</param>
    /// <param name="dBias">Bias gradient, [outFeatures], or empty.</param>
    /// <param name="accumulate">Add into the gradients rather than overwrite them.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardWeights(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        Gemm.Multiply(true, false, outFeatures, inFeatures, n, dy, outFeatures, x, inFeatures, dWeight, inFeatures, accumulate, scratch, path);
        if (!dBias.IsEmpty)
        {
            var db = dBias[..outFeatures];
            if (!accumulate)
            {
                db.Clear();
            }
            for (var s = 0; s < n; s++)
            {
                TensorPrimitives.Add(db, dy.Slice(s * outFeatures, outFeatures), db);
            }
        }
    }
}
