"""A mirror of the Cnn.Dsl attribute language in Python, for the golden networks.

Each network is written once, here, as the same layers the C# attributes name. From that one
definition make_golden.py builds the PyTorch model (naming every module by the DSL's naming rules,
so its state_dict keys are the names the generator will produce) and writes the C# twin in
Cnn.Dsl.Tests/Golden/GoldenNetworks.cs.

Naming rules (COMMON.md): a layer's default name is its kind's prefix plus its 1-based index
among layers of that kind in the same scope (conv1, bn2, res1); `name=` overrides it; `name=""`
on a composition puts its children directly into the enclosing scope. Residual bodies nest under
the residual (res1.conv1), shortcuts under res1.shortcut (or shortcut_name), Concat branches under
concat1.branch1..., Repeat copies under repeat1.0, repeat1.1..., Use bodies under the use's name
(the block's name in lower camel case plus an index among uses of that block). A composition
named "" shares the enclosing scope: its layers continue the enclosing scope's counters.
"""

import torch
from torch import nn


class Arg:
    """A block placeholder (Arg.A ...), bound from the use's arguments in order."""

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return "Arg." + "ABCDEFGH"[self.index]


A, B, C, D = (Arg(i) for i in range(4))

# C# constructor parameters of each layer attribute, in order, with defaults (None: required).
SIGNATURES = {
    "Conv": [("filters", None), ("kernel", None), ("stride", 1), ("pad", 0), ("dilation", 1), ("groups", 1), ("bias", True)],
    "ConvTranspose": [("filters", None), ("kernel", None), ("stride", 1), ("pad", 0), ("outputPad", 0), ("bias", True)],
    "MaxPool": [("size", None), ("stride", 0), ("pad", 0), ("ceilMode", False)],
    "AvgPool": [("size", None), ("stride", 0), ("pad", 0), ("ceilMode", False)],
    "GlobalAvgPool": [],
    "BatchNorm": [("eps", 1e-5), ("momentum", 0.1)],
    "Dropout": [("rate", 0.5)],
    "Flatten": [],
    "Dense": [("units", None), ("bias", True)],
    "Relu": [],
    "LeakyRelu": [("slope", 0.01)],
    "Elu": [("alpha", 1.0)],
    "Tanh": [],
    "Sigmoid": [],
    "Gelu": [],
    "Softmax": [],
}

PREFIXES = {
    "Conv": "conv", "ConvTranspose": "convt", "MaxPool": "maxpool", "AvgPool": "avgpool",
    "GlobalAvgPool": "gap", "BatchNorm": "bn", "Dropout": "dropout", "Flatten": "flatten",
    "Dense": "dense", "Relu": "relu", "LeakyRelu": "leakyrelu", "Elu": "elu", "Tanh": "tanh",
    "Sigmoid": "sigmoid", "Gelu": "gelu", "Softmax": "softmax",
    "Residual": "res", "Concat": "concat", "Repeat": "repeat",
}


class Layer:
    """One layer attribute: `Layer("Conv", 4, 3, pad=1)` is `[Conv(4, 3, pad: 1)]`."""

    def __init__(self, kind, *positional, name=None, **named):
        signature = SIGNATURES[kind]
        if len(positional) > len(signature):
            raise ValueError(f"{kind} takes at most {len(signature)} arguments")
        self.kind = kind
        self.name = name
        self.positional = positional
        self.named = named
        self.values = {}
        for (param, default), value in zip(signature, positional):
            self.values[param] = value
        for param, default in signature[len(positional):]:
            if param in named:
                self.values[param] = named[param]
            elif default is None:
                raise ValueError(f"{kind} needs {param}")
            else:
                self.values[param] = default
        unknown = set(named) - {p for p, _ in signature}
        if unknown:
            raise ValueError(f"{kind} has no parameter {unknown}")

    def csharp(self):
        args = [_cs(v) for v in self.positional] + [f"{k}: {_cs(v)}" for k, v in self.named.items()]
        if self.name is not None:
            args.append(f'Name = "{self.name}"')
        return self.kind + (f"({', '.join(args)})" if args else "")


class Block:
    """A [Block] class: rows of layers (one C# attribute list per row)."""

    def __init__(self, name, rows):
        self.name = name
        self.rows = rows

    @property
    def layers(self):
        return [layer for row in self.rows for layer in row]


class Composition:
    """Residual, Concat, Repeat or Use: a generic attribute naming blocks."""

    def __init__(self, kind, blocks, args, name=None, count=None, shortcut_name=None):
        self.kind = kind
        self.blocks = blocks
        self.args = list(args)
        self.name = name
        self.count = count
        self.shortcut_name = shortcut_name

    def csharp(self):
        args = ([str(self.count)] if self.count is not None else []) + [_cs(a) for a in self.args]
        if self.name is not None:
            args.append(f'Name = "{self.name}"')
        if self.shortcut_name is not None:
            args.append(f'ShortcutName = "{self.shortcut_name}"')
        generic = f"{self.kind}<{', '.join(b.name for b in self.blocks)}>"
        return generic + (f"({', '.join(args)})" if args else "")


def Residual(body, *args, shortcut=None, name=None, shortcut_name=None):
    return Composition("Residual", [body] + ([shortcut] if shortcut else []), args, name, shortcut_name=shortcut_name)


def Concat(branches, *args, name=None):
    return Composition("Concat", branches, args, name)


def Repeat(body, count, *args, name=None):
    return Composition("Repeat", [body], args, name, count=count)


def Use(block, *args, name=None):
    return Composition("Use", [block], args, name)


class Network:
    """A [Network(c, h, w)] class; `eval_only` networks have nondeterministic training (Dropout > 0)."""

    def __init__(self, name, input_shape, rows, summary, eval_only=False):
        self.name = name
        self.input_shape = input_shape
        self.rows = rows
        self.summary = summary
        self.eval_only = eval_only

    @property
    def layers(self):
        return [layer for row in self.rows for layer in row]


def _cs(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return repr(value) if isinstance(value, Arg) else str(value)


def _camel(name):
    return name[0].lower() + name[1:]


# ---- building the PyTorch model ----

class Scope(nn.Module):
    """A naming scope that holds modules with parameters; it computes nothing itself."""


class _Module:
    def __init__(self, module):
        self.module = module

    def __call__(self, x):
        return self.module(x)


class _Sequence:
    def __init__(self, ops):
        self.ops = ops

    def __call__(self, x):
        for op in self.ops:
            x = op(x)
        return x


class _Residual:
    def __init__(self, body, shortcut):
        self.body = body
        self.shortcut = shortcut

    def __call__(self, x):
        return self.body(x) + (self.shortcut(x) if self.shortcut else x)


class _Concat:
    def __init__(self, branches):
        self.branches = branches

    def __call__(self, x):
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class GoldenModel(nn.Module):
    """The PyTorch model of a Network, its modules registered under the DSL's state_dict names."""

    def __init__(self, network):
        super().__init__()
        self.network = network
        op, self.output_shape = _build(network.layers, network.input_shape, _Names(self), {})
        object.__setattr__(self, "_op", op)

    def forward(self, x):
        return self._op(x)


def _bind(value, bindings):
    if isinstance(value, Arg):
        if value.index not in bindings:
            raise ValueError(f"{value!r} has no value")
        return bindings[value.index]
    return value


class _Names:
    """A naming scope: the module its parameters register in, default-name counters and the
    names taken. A composition with name="" shares its enclosing scope, so its layers continue
    the enclosing counters (and a clash is an error, as CNN0016 would report)."""

    def __init__(self, module):
        self.module = module
        self.counts = {}
        self.taken = set()

    def claim(self, layer):
        if isinstance(layer, Composition) and layer.kind == "Use":
            prefix = _camel(layer.blocks[0].name)
        else:
            prefix = PREFIXES[layer.kind]
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        name = layer.name if layer.name is not None else f"{prefix}{self.counts[prefix]}"
        if name != "" and name in self.taken:
            raise ValueError(f"'{name}' is used twice in one scope")
        self.taken.add(name)
        return name

    def child(self, name):
        """The scope of a composition named `name` inside this one (this one itself for "")."""
        if name == "":
            return self
        module = Scope()
        self.module.add_module(name, module)
        return _Names(module)


def _build(layers, shape, names, bindings):
    """Builds `layers` in the naming scope `names`, returns (op, output shape)."""
    ops = []
    for layer in layers:
        name = names.claim(layer)
        if isinstance(layer, Composition):
            op, shape = _build_composition(layer, name, shape, names, bindings)
        else:
            op, shape = _build_layer(layer, name, shape, names.module, bindings)
        ops.append(op)
    return _Sequence(ops), shape


def _build_composition(layer, name, shape, names, bindings):
    args = {i: _bind(a, bindings) for i, a in enumerate(layer.args)}
    inner = names.child(name)
    if layer.kind == "Use":
        return _build(layer.blocks[0].layers, shape, inner, args)
    if layer.kind == "Repeat":
        ops = []
        for copy in range(layer.count):
            op, shape = _build(layer.blocks[0].layers, shape, inner.child(str(copy)), args)
            ops.append(op)
        return _Sequence(ops), shape
    if layer.kind == "Residual":
        body, body_shape = _build(layer.blocks[0].layers, shape, inner, args)
        shortcut = None
        if len(layer.blocks) == 2:
            shortcut_scope = inner.child(layer.shortcut_name or "shortcut")
            shortcut, shortcut_shape = _build(layer.blocks[1].layers, shape, shortcut_scope, args)
            if shortcut_shape != body_shape:
                raise ValueError(f"{name}: shortcut gives {shortcut_shape}, body {body_shape}")
        elif body_shape != shape:
            raise ValueError(f"{name}: body gives {body_shape} from {shape}")
        return _Residual(body, shortcut), body_shape
    branches = []
    channels = 0
    spatial = None
    for i, block in enumerate(layer.blocks, start=1):
        op, branch_shape = _build(block.layers, shape, inner.child(f"branch{i}"), args)
        if spatial is not None and branch_shape[1:] != spatial:
            raise ValueError(f"{name}: branch {i} gives {branch_shape}")
        spatial = branch_shape[1:]
        channels += branch_shape[0]
        branches.append(op)
    return _Concat(branches), (channels,) + spatial


def _check_no_dropped_input(layer, name, size, kernel, stride, pad, dilation=1):
    """The golden networks stay clear of CNN0011 (a stride or window that drops input rows)."""
    if (size + 2 * pad - dilation * (kernel - 1) - 1) % stride != 0:
        raise ValueError(f"{name} ({layer.csharp()}) drops input rows of a {size}-wide input")


def _build_layer(layer, name, shape, scope, bindings):
    v = {k: _bind(x, bindings) for k, x in layer.values.items()}
    kind = layer.kind
    if kind in ("Conv", "ConvTranspose", "MaxPool", "AvgPool") and len(shape) != 3:
        raise ValueError(f"{name} needs a map, got {shape}")
    if kind == "Conv":
        _check_no_dropped_input(layer, name, shape[1], v["kernel"], v["stride"], v["pad"], v["dilation"])
        module = nn.Conv2d(shape[0], v["filters"], v["kernel"], v["stride"], v["pad"], v["dilation"], v["groups"], v["bias"])
    elif kind == "ConvTranspose":
        module = nn.ConvTranspose2d(shape[0], v["filters"], v["kernel"], v["stride"], v["pad"], v["outputPad"], bias=v["bias"])
    elif kind in ("MaxPool", "AvgPool"):
        stride = v["stride"] or v["size"]
        if not v["ceilMode"]:
            _check_no_dropped_input(layer, name, shape[1], v["size"], stride, v["pad"])
        if kind == "MaxPool":
            module = nn.MaxPool2d(v["size"], stride, v["pad"], ceil_mode=v["ceilMode"])
        else:
            module = nn.AvgPool2d(v["size"], stride, v["pad"], ceil_mode=v["ceilMode"], count_include_pad=True)
    elif kind == "GlobalAvgPool":
        module = nn.AdaptiveAvgPool2d(1)
    elif kind == "BatchNorm":
        norm = nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d
        module = norm(shape[0], eps=v["eps"], momentum=v["momentum"])
    elif kind == "Dropout":
        module = nn.Dropout(v["rate"])
    elif kind == "Flatten":
        module = nn.Flatten()
    elif kind == "Dense":
        if len(shape) != 1:
            raise ValueError(f"{name} needs a vector, got {shape}")
        module = nn.Linear(shape[0], v["units"], bias=v["bias"])
    else:
        module = {
            "Relu": lambda: nn.ReLU(),
            "LeakyRelu": lambda: nn.LeakyReLU(v["slope"]),
            "Elu": lambda: nn.ELU(v["alpha"]),
            "Tanh": lambda: nn.Tanh(),
            "Sigmoid": lambda: nn.Sigmoid(),
            "Gelu": lambda: nn.GELU(),
            "Softmax": lambda: nn.Softmax(dim=1),
        }[kind]()
    if any(True for _ in module.parameters()) or any(True for _ in module.buffers()):
        scope.add_module(name, module)
    with torch.no_grad():
        out = module.eval()(torch.zeros((2,) + tuple(shape)))
    return _Module(module), tuple(out.shape[1:])


# ---- writing the C# twin ----

def csharp_source(networks, blocks):
    lines = [
        "// Written by tools/golden/make_golden.py from its network definitions (tools/golden/networks.py):",
        "// edit them there and regenerate, so these classes and the golden files never disagree.",
        "using Cnn.Dsl;",
        "",
        "namespace Cnn.Dsl.Tests.Golden;",
    ]
    for block in blocks:
        lines += ["", "[Block]"] + [_row(row) for row in block.rows] + [f"public partial class {block.name};"]
    for network in networks:
        c, h, w = network.input_shape
        lines += ["", "/// <summary>", f"/// {network.summary}", "/// </summary>", f"[Network({c}, {h}, {w})]"]
        lines += [_row(row) for row in network.rows] + [f"public partial class {network.name};"]
    return "\n".join(lines) + "\n"


def _row(row):
    return "[" + ", ".join(layer.csharp() for layer in row) + "]"
