using System;
using System.Numerics;

namespace Cnn.Runtime.Kernels.Reference;

/// <summary>Activation functions by their formulas, one value at a time, in any floating-point type.</summary>
public static class ReferenceActivations
{
    /// <summary>max(x, 0).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Input.</param>
    /// <returns>relu(x).</returns>
    public static T Relu<T>(T x) where T : IFloatingPointIeee754<T> => x > T.Zero ? x : T.Zero;

    /// <summary>x &gt; 0 ? x : slope·x.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Input.</param>
    /// <param name="slope">Negative slope.</param>
    /// <returns>leaky_relu(x).</returns>
    public static T LeakyRelu<T>(T x, T slope) where T : IFloatingPointIeee754<T> => x > T.Zero ? x : slope * x;

    /// <summary>x &gt; 0 ? x : α(eˣ − 1).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Input.</param>
    /// <param name="alpha">α.</param>
    /// <returns>elu(x).</returns>
    public static T Elu<T>(T x, T alpha) where T : IFloatingPointIeee754<T> => x > T.Zero ? x : alpha * (T.Exp(x) - T.One);

    /// <summary>tanh(x).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Input.</param>
    /// <returns>tanh(x).</returns>
    public static T Tanh<T>(T x) where T : IFloatingPointIeee754<T> => T.Tanh(x);

    /// <summary>1/(1 + e^{−x}).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Input.</param>
    /// <returns>σ(x).</returns>
    public static T Sigmoid<T>(T x) where T : IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));

    /// <summary>½x(1 + erf(x/√2)), with erf evaluated in double to full precision.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Input.</param>
    /// <returns>gelu(x).</returns>
    public static T Gelu<T>(T x) where T : IFloatingPointIeee754<T>
    {
        var v = double.CreateChecked(x);
        return T.CreateChecked(0.5 * v * (1.0 + Erf(v / Math.Sqrt(2.0))));
    }

    /// <summary>Row softmax: e^{x − max} / Σ e^{x − max}.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">Output.</param>
    public static void Softmax<T>(int rows, int columns, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            var max = T.NegativeInfinity;
            for (var j = 0; j < columns; j++)
            {
                max = T.Max(max, x[(r * columns) + j]);
            }
            var sum = T.Zero;
            for (var j = 0; j < columns; j++)
            {
                sum += T.Exp(x[(r * columns) + j] - max);
            }
            for (var j = 0; j < columns; j++)
            {
                y[(r * columns) + j] = T.Exp(x[(r * columns) + j] - max) / sum;
            }
        }
    }

    /// <summary>
    /// The error function to double precision: its Maclaurin series for |x| &lt; 3, the continued fraction
    /// of erfc beyond (both converge fast there).
    /// </summary>
    /// <param name="x">Argument.</param>
    /// <returns>erf(x).</returns>
    public static double Erf(double x)
    {
        var z = Math.Abs(x);
        double result;
        if (z < 3.0)
        {
            // erf z = 2/√π Σ (−1)ⁿ z^{2n+1} / (n! (2n+1))
            double term = z, sum = z;
            for (var n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -z * z / n;
                sum += term / ((2 * n) + 1);
            }
            result = 2.0 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc z = e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …))))), evaluated bottom-up.
            var fraction = z;
            for (var k = 60; k >= 1; k--)
            {
                fraction = z + (k / 2.0 / fraction);
            }
            result = 1.0 - (Math.Exp(-z * z) / Math.Sqrt(Math.PI) / fraction);
        }
        return x < 0 ? -result : result;
    }
}
