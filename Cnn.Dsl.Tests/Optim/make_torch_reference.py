"""Writes TorchReference.cs: PyTorch 1.13's optimizer, schedule and clipping results that
OptimizerTests, ScheduleTests and ClippingTests compare against.

Run from this folder with Debian's PyTorch (the tests themselves never need it):
    /usr/bin/python3 make_torch_reference.py

The layout mirrors TestLayout.cs: conv1 (weight 2x1x2x2, bias 2), bn1 (weight 2, bias 2; its running
statistics are buffers the optimizer never sees), dense1 (weight 5x7, bias 5), packed in that order
into one 54-value arena.
"""
import math

import torch

STEPS = 6
SHAPES = [("conv1.weight", [2, 1, 2, 2]), ("conv1.bias", [2]), ("bn1.weight", [2]), ("bn1.bias", [2]),
          ("dense1.weight", [5, 7]), ("dense1.bias", [5])]
ARENA = sum(math.prod(shape) for _, shape in SHAPES)

torch.manual_seed(0)
INITIAL = (torch.randn(ARENA) * 0.5).float()
GRADIENTS = torch.randn(STEPS, ARENA).float()
# Large values in some steps, so clipping and bias correction see more than unit-sized gradients.
GRADIENTS[2] *= 10.0
GRADIENTS[4] *= 0.01


def split(flat):
    tensors, offset = [], 0
    for _, shape in SHAPES:
        length = math.prod(shape)
        tensors.append(flat[offset:offset + length].clone().reshape(shape))
        offset += length
    return tensors


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def trajectory(make_optimizer, frozen_until=None):
    """Parameters after each step. frozen_until maps a layer to the first step (1-based) it trains
    at: before that its tensors have no gradient, as a frozen layer in PyTorch has none."""
    params = [torch.nn.Parameter(t) for t in split(INITIAL)]
    optimizer = make_optimizer(params)
    rows = []
    for step in range(STEPS):
        for (name, _), param, grad in zip(SHAPES, params, split(GRADIENTS[step])):
            layer = name.rsplit(".", 1)[0]
            trains = frozen_until is None or step + 1 >= frozen_until.get(layer, 0)
            param.grad = grad if trains else None
        optimizer.step()
        rows.append(flat([p.detach() for p in params]))
    return rows


OPTIMIZERS = {
    "sgd_plain": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd_dampening_decay": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
    "sgd_nesterov_decay": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam_default": lambda p: torch.optim.Adam(p, lr=0.01),
    "adam_decay": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adam_amsgrad": lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True),
    "adamw_decay": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.05),
    "adamw_amsgrad": lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.1, amsgrad=True),
}

FROZEN = {
    # conv1 never trains.
    "sgd_momentum_conv1_frozen": (OPTIMIZERS["sgd_momentum"], {"conv1": STEPS + 1}),
    # conv1 and bn1 join at steps 3 and 5: their momentum buffers and Adam step counts start then.
    "sgd_dampening_decay_unfrozen_late": (OPTIMIZERS["sgd_dampening_decay"], {"conv1": 3, "bn1": 5}),
    "adam_decay_unfrozen_late": (OPTIMIZERS["adam_decay"], {"conv1": 3, "bn1": 5}),
    "adamw_amsgrad_unfrozen_late": (OPTIMIZERS["adamw_amsgrad"], {"conv1": 3}),
}


def schedule(make, epochs, metrics=None):
    """Learning rates at construction and after each of `epochs` scheduler steps."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = make(optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for epoch in range(epochs):
        optimizer.step()
        scheduler.step(metrics[epoch]) if metrics is not None else scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return rates


S = torch.optim.lr_scheduler
PLATEAU_LOSSES = [1.0, 0.9, 0.8999, 0.91, 0.95, 0.85, 0.85, 0.86, 0.87, 0.88, 0.7, 0.7, 0.71, 0.72, 0.73, 0.74,
                  0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83]
SCHEDULES = {
    "step_3_half": schedule(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 12),
    "cosine_5": schedule(lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001), 17),
    "cosine_4_zero": schedule(lambda o: S.CosineAnnealingLR(o, T_max=4), 9),
    "linear_warmup_4": schedule(lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4), 8),
    "warmup_then_cosine": schedule(
        lambda o: S.ChainedScheduler([S.LinearLR(o, start_factor=0.1, total_iters=3),
                                      S.CosineAnnealingLR(o, T_max=10)]), 12),
    "plateau": schedule(lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1, min_lr=0.02),
                        len(PLATEAU_LOSSES), PLATEAU_LOSSES),
    "plateau_max_abs": schedule(
        lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs"),
        len(PLATEAU_LOSSES), [1.0 - x for x in PLATEAU_LOSSES]),
}


def clipped(max_norm, norm_type, frozen=()):
    grads = [g.clone() for g in split(GRADIENTS[2])]
    params = []
    for (name, _), grad in zip(SHAPES, grads):
        param = torch.nn.Parameter(torch.zeros_like(grad))
        param.grad = None if name.rsplit(".", 1)[0] in frozen else grad
        params.append(param)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    return float(total), flat(grads)


CLIPS = {
    "norm2_1": clipped(1.0, 2.0),
    "norm2_1000": clipped(1000.0, 2.0),
    "norm1_5": clipped(5.0, 1.0),
    "norminf_2": clipped(2.0, math.inf),
    "norm2_1_dense1_frozen": clipped(1.0, 2.0, frozen=("dense1",)),
}


def floats(values):
    return "[" + ", ".join("%.9gf" % v for v in values.tolist()) + "]"


def doubles(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def main():
    lines = [
        "// <auto-generated/> by make_torch_reference.py with PyTorch " + torch.__version__ + ": rerun it, never edit.",
        "using System.Collections.Generic;",
        "",
        "namespace Cnn.Dsl.Tests.Optim;",
        "",
        "/// <summary>PyTorch's results for the fixtures in TestLayout (see make_torch_reference.py).</summary>",
        "internal static class TorchReference",
        "{",
        "    public const int Steps = %d;" % STEPS,
        "",
        "    public static readonly float[] InitialParameters = %s;" % floats(INITIAL),
        "",
        "    public static readonly float[][] Gradients =",
        "    [",
    ]
    lines += ["        %s," % floats(g) for g in GRADIENTS]
    lines += ["    ];", "", "    /// <summary>Parameters after each step, per optimizer configuration.</summary>",
              "    public static readonly Dictionary<string, float[][]> Trajectories = new()", "    {"]
    runs = {name: trajectory(make) for name, make in OPTIMIZERS.items()}
    runs.update({name: trajectory(make, frozen) for name, (make, frozen) in FROZEN.items()})
    for name, rows in runs.items():
        lines.append('        ["%s"] =' % name)
        lines.append("        [")
        lines += ["            %s," % floats(row) for row in rows]
        lines.append("        ],")
    lines += ["    };", "", "    /// <summary>Learning rate at construction, then after each scheduler step.</summary>",
              "    public static readonly Dictionary<string, double[]> Schedules = new()", "    {"]
    lines += ['        ["%s"] = %s,' % (name, doubles(rates)) for name, rates in SCHEDULES.items()]
    lines += ["    };", "", "    public static readonly double[] PlateauLosses = %s;" % doubles(PLATEAU_LOSSES), "",
              "    /// <summary>clip_grad_norm_ on Gradients[2]: the total norm it returned and the clipped gradients.</summary>",
              "    public static readonly Dictionary<string, (float TotalNorm, float[] Gradients)> Clips = new()", "    {"]
    lines += ['        ["%s"] = (%.9gf, %s),' % (name, total, floats(grads)) for name, (total, grads) in CLIPS.items()]
    lines += ["    };", "}", ""]
    with open("TorchReference.cs", "w") as out:
        out.write("\n".join(lines))


main()
