using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Elementwise activations and row softmax, forward and backward, over any contiguous float tensor
/// (the layout does not matter). Outputs may alias inputs (in place). Each backward takes what it needs
/// as documented: the output y (Relu, Elu, Tanh, Sigmoid, Softmax) or the input x (LeakyRelu, Gelu).
/// Backward passes overwrite dx; dx may alias dy.
/// </summary>
public static class Activations
{
    /// <summary><c>y = max(x, 0)</c>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(ReluOp), x, y, path);

    /// <summary><c>dx = y &gt; 0 ? dy : 0</c>.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(ReluGradOp), y, dy, dx, path);

    /// <summary><c>y = x &gt; 0 ? x : slope·x</c>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="slope">Negative slope (PyTorch's default 0.01).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float slope, CpuPath path = CpuPath.Auto) => Elementwise.Map(new LeakyReluOp(slope), x, y, path);

    /// <summary><c>dx = x &gt; 0 ? dy : slope·dy</c>.</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="slope">Negative slope.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float slope, CpuPath path = CpuPath.Auto) => Elementwise.Map(new LeakyReluGradOp(slope), x, dy, dx, path);

    /// <summary><c>y = x &gt; 0 ? x : α(eˣ − 1)</c>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="alpha">α (PyTorch's default 1), positive.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Elu(ReadOnlySpan<float> x, Span<float> y, float alpha, CpuPath path = CpuPath.Auto) => Elementwise.Map(new EluOp(alpha), x, y, path);

    /// <summary><c>dx = y &gt; 0 ? dy : dy·(y + α)</c>.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="alpha">α, positive.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void EluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha, CpuPath path = CpuPath.Auto) => Elementwise.Map(new EluGradOp(alpha), y, dy, dx, path);

    /// <summary><c>y = tanh(x)</c>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(TanhOp), x, y, path);

    /// <summary><c>dx = dy·(1 − y²)</c>.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(TanhGradOp), y, dy, dx, path);

    /// <summary><c>y = 1/(1 + e^{−x})</c>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(SigmoidOp), x, y, path);

    /// <summary><c>dx = dy·y·(1 − y)</c>.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(SigmoidGradOp), y, dy, dx, path);

    /// <summary><c>y = x·Φ(x) = ½x(1 + erf(x/√2))</c> (exact form, PyTorch's default approximate='none').</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(GeluOp), x, y, path);

    /// <summary><c>dx = dy·(Φ(x) + x·φ(x))</c>.</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, CpuPath path = CpuPath.Auto) => Elementwise.Map(default(GeluGradOp), x, dy, dx, path);

    /// <summary>Row softmax, stable (the row maximum is subtracted first): <c>y[r, j] = e^{x[r,j] − m} / Σₖ e^{x[r,k] − m}</c>.</summary>
    /// <param name="rows">Rows (the batch).</param>
    /// <param name="columns">Columns (classes).</param>
    /// <param name="x">Input, [rows, columns].</param>
    /// <param name="y">Output, [rows, columns] (may be x).</param>
    /// <param name="path">Scalar, or a vector path (System.Numerics.Tensors picks the width).</param>
    public static void Softmax(int rows, int columns, ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto)
    {
        for (var r = 0; r < rows; r++)
        {
            var input = x.Slice(r * columns, columns);
            var output = y.Slice(r * columns, columns);
            if (CpuPaths.Resolve(path) == CpuPath.Scalar)
            {
                var max = float.NegativeInfinity;
                foreach (var v in input)
                {
                    max = MathF.Max(max, v);
                }
                var sum = 0f;
                for (var j = 0; j < columns; j++)
                {
                    output[j] = MathF.Exp(input[j] - max);
                    sum += output[j];
                }
                for (var j = 0; j < columns; j++)
                {
                    output[j] /= sum;
                }
            }
            else
            {
                TensorPrimitives.SoftMax(input, output);
            }
        }
    }

    /// <summary>Row softmax gradient from the output: <c>dx[r, j] = y[r, j]·(dy[r, j] − Σₖ dy[r, k]·y[r, k])</c>.</summary>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="y">Forward output, [rows, columns].</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="path">Scalar, or a vector path (System.Numerics.Tensors picks the width).</param>
    public static void SoftmaxBackward(int rows, int columns, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, CpuPath path = CpuPath.Auto)
    {
        for (var r = 0; r < rows; r++)
        {
            var output = y.Slice(r * columns, columns);
            var gradOut = dy.Slice(r * columns, columns);
            var gradIn = dx.Slice(r * columns, columns);
            if (CpuPaths.Resolve(path) == CpuPath.Scalar)
            {
                var dot = 0f;
                for (var j = 0; j < columns; j++)
                {
                    dot += gradOut[j] * output[j];
                }
                for (var j = 0; j < columns; j++)
                {
                    gradIn[j] = output[j] * (gradOut[j] - dot);
                }
            }
            else
            {
                var dot = TensorPrimitives.Dot(gradOut, output);
                TensorPrimitives.Subtract(gradOut, dot, gradIn);
                TensorPrimitives.Multiply(gradIn, output, gradIn);
            }
        }
    }
}
