#!/usr/bin/python3
"""Writes the PyTorch golden files of Cnn.Dsl.Tests/Golden and the C# twin of their networks.

Run with Debian's PyTorch: /usr/bin/python3 tools/golden/make_golden.py   (see README.md)
"""

import copy
import json
import os
import sys
import zlib

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_file  # noqa: E402
from dsl import GoldenModel, csharp_source  # noqa: E402
from networks import BLOCKS, LENET5, NETWORKS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "Cnn.Dsl.Tests", "Golden")
BATCH = 3
STEPS = 3

# Each optimizer runs STEPS steps from the same initial parameters on the same batch.
OPTIMIZERS = {
    "sgd": ("SGD", dict(lr=0.05, momentum=0.9)),
    "nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd_wd": ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
    "adam": ("Adam", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
    "adamw": ("AdamW", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
}


def initial_model(network):
    """PyTorch's default initialization in float32 from a seed fixed per network, with BatchNorm's
    affine parameters and running statistics drawn away from 1 and 0 so that evaluation-mode
    normalization is not the identity; then float64 for the reference computation."""
    torch.manual_seed(zlib.crc32(network.name.encode()))
    model = GoldenModel(network)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
    return model.double()


def batch(network, classes):
    x = torch.randn((BATCH,) + network.input_shape, dtype=torch.float32)
    labels = torch.randint(0, classes, (BATCH,), dtype=torch.int64)
    return x.double(), labels


def f32(tensor):
    return tensor.detach().to(torch.float32)


def state_tensors(model):
    """The state_dict as stored: floats as F32, num_batches_tracked as I64."""
    return {name: (value if value.dtype == torch.int64 else f32(value)) for name, value in model.state_dict().items()}


def optimize(model, x, labels, kind, options):
    model = copy.deepcopy(model).train()
    optimizer = getattr(torch.optim, kind)(model.parameters(), **options)
    for _ in range(STEPS):
        optimizer.zero_grad()
        F.cross_entropy(model(x), labels).backward()
        optimizer.step()
    return {name: f32(p) for name, p in model.named_parameters()}


def golden_file(network):
    model = initial_model(network)
    classes = model.output_shape[0]
    x, labels = batch(network, classes)
    tensors = {"input": f32(x), "labels": labels}
    tensors.update(state_tensors(model))
    with torch.no_grad():
        tensors["output.eval"] = f32(model.eval()(x))
    parameters = [name for name, _ in model.named_parameters()]
    buffers = [name for name, _ in model.named_buffers()]
    if not network.eval_only:
        trained = copy.deepcopy(model).train()
        output = trained(x)
        loss = F.cross_entropy(output, labels)
        loss.backward()
        tensors["output.train"] = f32(output)
        tensors["loss"] = f32(loss)
        for name, value in trained.named_buffers():
            tensors["train_forward." + name] = value if value.dtype == torch.int64 else f32(value)
        for name, p in trained.named_parameters():
            tensors["grad." + name] = f32(p.grad)
        for prefix, (kind, options) in OPTIMIZERS.items():
            for name, value in optimize(model, x, labels, kind, options).items():
                tensors[f"{prefix}.{name}"] = value
    metadata = {
        "network": network.name,
        "input_shape": json.dumps(list(network.input_shape)),
        "batch": str(BATCH),
        "classes": str(classes),
        "eval_only": "true" if network.eval_only else "false",
        "parameters": json.dumps(parameters),
        "buffers": json.dumps(buffers),
        "optimizers": json.dumps({k: {"type": kind, "steps": STEPS, **opts} for k, (kind, opts) in OPTIMIZERS.items()}),
        "loss": "cross_entropy mean over the batch (softmax fused), on output.train",
        "precision": "float32 inputs and initial state; every result computed in float64 and rounded to float32",
        "generator": f"tools/golden/make_golden.py, torch {torch.__version__}",
    }
    return tensors, metadata


def lenet5_files():
    """A real PyTorch state_dict of LeNet-5 (seeded init), and its output on a fixed input."""
    torch.manual_seed(5)
    model = GoldenModel(LENET5)
    state = {name: value for name, value in model.state_dict().items()}
    sums = {name: [float(value.double().sum()), float(value.double().abs().sum()), float(value.flatten()[0]),
                   float(value.flatten()[-1])] for name, value in state.items()}
    safetensors_file.save(os.path.join(GOLDEN, "lenet5_state_dict.safetensors"), state,
                          {"format": "pt", "checks": json.dumps(sums)})
    x = torch.rand((4,) + LENET5.input_shape, dtype=torch.float32)
    with torch.no_grad():
        output = model.double().eval()(x.double())
    safetensors_file.save(os.path.join(GOLDEN, "lenet5_expected.safetensors"),
                          {"input": x, "output": f32(output)},
                          {"network": "LeNet5", "precision": "output computed in float64 and rounded to float32"})


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    total = 0
    for network in NETWORKS:
        tensors, metadata = golden_file(network)
        path = os.path.join(GOLDEN, network.name + ".safetensors")
        safetensors_file.save(path, tensors, metadata)
        size = os.path.getsize(path)
        total += size
        print(f"{network.name:20} {len(tensors):4} tensors {size:8} bytes")
    lenet5_files()
    with open(os.path.join(GOLDEN, "GoldenNetworks.cs"), "w", encoding="utf-8") as f:
        f.write(csharp_source(NETWORKS + [LENET5], BLOCKS))
    print(f"golden networks total {total} bytes")


if __name__ == "__main__":
    main()
