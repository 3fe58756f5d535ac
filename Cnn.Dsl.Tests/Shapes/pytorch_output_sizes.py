"""Prints the [InlineData] rows of PyTorchOutputSizeTests.cs: output sizes PyTorch computes.

Run with Debian's PyTorch 1.13: /usr/bin/python3 pytorch_output_sizes.py
Paste each section under the matching theory (pooling, conv, conv transpose).
"""
import random

import torch
import torch.nn.functional as F


def rows(count, draw, run):
    found = []
    while len(found) < count:
        args = draw()
        try:
            out = run(*args).shape[-1]
        except RuntimeError:  # PyTorch rejects the arguments: not a size case
            continue
        found.append("    [InlineData(" + ", ".join(
            str(a).lower() if isinstance(a, bool) else str(a) for a in (*args, out)) + ")]")
    return found


def main():
    random.seed(7)
    zeros = lambda size: torch.zeros(1, 1, size, size)

    def pool_args():
        i, k, s = random.randint(1, 20), random.randint(1, 6), random.randint(1, 4)
        return i, k, s, random.randint(0, k // 2), random.random() < 0.6

    def conv_args():
        return (random.randint(1, 20), random.randint(1, 6), random.randint(1, 4),
                random.randint(0, 4), random.randint(1, 3))

    def convt_args():
        i, k, s = random.randint(1, 12), random.randint(1, 6), random.randint(1, 4)
        return i, k, s, random.randint(0, 3), random.randint(0, s - 1)

    print("// Pooling_matches_PyTorch")
    print("\n".join(rows(40, pool_args, lambda i, k, s, p, c: F.max_pool2d(zeros(i), k, s, p, ceil_mode=c))))
    print("// Conv_matches_PyTorch")
    print("\n".join(rows(20, conv_args, lambda i, k, s, p, d: F.conv2d(zeros(i), torch.zeros(1, 1, k, k), None, s, p, d))))
    print("// ConvTranspose_matches_PyTorch")
    print("\n".join(rows(20, convt_args, lambda i, k, s, p, o: F.conv_transpose2d(zeros(i), torch.zeros(1, 1, k, k), None, s, p, o))))


if __name__ == "__main__":
    main()
