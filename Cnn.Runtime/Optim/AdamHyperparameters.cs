using System;
using Cnn.Runtime.Optim.Kernels;

namespace Cnn.Runtime.Optim;

/// <summary>The settings Adam and AdamW share, checked as PyTorch checks them.</summary>
internal readonly record struct AdamHyperparameters(double Beta1, double Beta2, double Epsilon, double WeightDecay, bool AmsGrad)
{
    public void Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException("betas", $"Betas ({Beta1}, {Beta2}) must lie in [0, 1).");
        }
        if (!(Epsilon >= 0))
        {
            throw new ArgumentOutOfRangeException("epsilon", Epsilon, "Epsilon must be non-negative.");
        }
        if (!(WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException("weightDecay", WeightDecay, "Weight decay must be non-negative.");
        }
    }

    /// <summary>The kernel's coefficients for a tensor's <paramref name="step"/>-th update, in PyTorch's double arithmetic.</summary>
    public AdamCoefficients Coefficients(double learningRate, long step, double l2Decay, double decoupledDecay)
    {
        var biasCorrection1 = 1 - Math.Pow(Beta1, step);
        var biasCorrection2 = 1 - Math.Pow(Beta2, step);
        return new AdamCoefficients(
            Beta1: (float)Beta1,
            OneMinusBeta1: (float)(1 - Beta1),
            Beta2: (float)Beta2,
            OneMinusBeta2: (float)(1 - Beta2),
            L2Decay: (float)l2Decay,
            DecoupledFactor: (float)(1 - learningRate * decoupledDecay),
            BiasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            Epsilon: (float)Epsilon,
            NegativeStepSize: (float)-(learningRate / biasCorrection1),
            AmsGrad: AmsGrad);
    }
}
