"""The golden networks: small enough to keep every file tiny, together covering every layer kind
and argument of the DSL. Each is the single definition of both the PyTorch model and its C# twin."""

from dsl import A, B, Block, Concat, Layer as L, Network, Repeat, Residual, Use

# ---- blocks ----

RES_BODY = Block("ResBody", [
    [L("Conv", A, 3, pad=1), L("BatchNorm"), L("Relu")],
    [L("Conv", A, 3, pad=1)],
])
PROJ_BODY = Block("ProjBody", [
    [L("Conv", A, 3, stride=B, pad=1), L("BatchNorm"), L("Relu")],
    [L("Conv", A, 3, pad=1), L("BatchNorm")],
])
PROJECTION = Block("Projection", [[L("Conv", A, 1, stride=B, bias=False), L("BatchNorm")]])
BRANCH_1X1 = Block("Branch1x1", [[L("Conv", A, 1), L("Relu")]])
BRANCH_3X3 = Block("Branch3x3", [[L("Conv", A, 3, pad=1), L("Relu")]])
BRANCH_WIDE = Block("BranchWide", [[L("Conv", B, 3, pad=1), L("Relu")]])
BRANCH_POOL = Block("BranchPool", [[L("MaxPool", 3, stride=1, pad=1), L("Conv", A, 1)]])
BRANCH_AVG = Block("BranchAvg", [[L("AvgPool", 3, stride=1, pad=1), L("Conv", A, 1), L("Relu")]])
REPEAT_UNIT = Block("RepeatUnit", [[L("Conv", A, 3, pad=1, bias=False), L("BatchNorm"), L("LeakyRelu")]])
INNER_BODY = Block("InnerBody", [
    [Concat([BRANCH_1X1, BRANCH_3X3], 2), L("BatchNorm")],
    [L("Conv", A, 1)],
])
RES_UNIT = Block("ResUnit", [[Residual(INNER_BODY, A), L("Relu")]])
STAGE = Block("Stage", [
    [L("Conv", A, 3, pad=1), L("Relu")],
    [Repeat(RES_UNIT, 2, A)],
])
BASIC = Block("Basic", [
    [L("Conv", A, 3, stride=B, pad=1, bias=False), L("BatchNorm"), L("Relu")],
    [L("Conv", A, 3, pad=1, bias=False), L("BatchNorm")],
])
DOWNSAMPLE = Block("Downsample", [[L("Conv", A, 1, stride=B, bias=False, name="0"), L("BatchNorm", name="1")]])
BASIC_UNIT = Block("BasicUnit", [[Residual(BASIC, A, 1, name=""), L("Relu")]])
DOWN_STAGE = Block("DownStage", [
    [Residual(BASIC, A, 2, shortcut=DOWNSAMPLE, name="0", shortcut_name="downsample"), L("Relu")],
    [Residual(BASIC, A, 1, name="1"), L("Relu")],
])

BLOCKS = [RES_BODY, PROJ_BODY, PROJECTION, BRANCH_1X1, BRANCH_3X3, BRANCH_WIDE, BRANCH_POOL, BRANCH_AVG,
          REPEAT_UNIT, INNER_BODY, RES_UNIT, STAGE, BASIC, DOWNSAMPLE, BASIC_UNIT, DOWN_STAGE]

# ---- networks ----

NETWORKS = [
    Network("ConvBasics", (1, 9, 9), [
        [L("Conv", 3, 3, pad=1), L("Relu")],
        [L("Conv", 4, 3, stride=2, pad=1, bias=False), L("Tanh")],
        [L("Conv", 4, 1), L("Sigmoid")],
        [L("Flatten"), L("Dense", 3)],
    ], "Convolution with padding, stride, no bias and a 1×1 kernel; Relu, Tanh, Sigmoid; Flatten, Dense."),
    Network("DilatedGrouped", (4, 9, 9), [
        [L("Conv", 4, 3, dilation=2), L("LeakyRelu", 0.2)],
        [L("Conv", 6, 3, pad=1, groups=2), L("Elu", 0.5)],
        [L("Conv", 6, 3, pad=1, groups=6), L("Gelu")],
        [L("Conv", 12, 3, stride=2, pad=2, dilation=2, groups=6), L("Relu")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3, bias=False)],
    ], "Dilation, groups, depthwise (with and without a channel multiplier); LeakyRelu(0.2), Elu(0.5), Gelu; Dense without bias."),
    Network("TransposedConv", (2, 3, 3), [
        [L("ConvTranspose", 3, 3, stride=2, pad=1, outputPad=1), L("Relu")],
        [L("ConvTranspose", 2, 2, stride=2, bias=False), L("Tanh")],
        [L("ConvTranspose", 2, 3, pad=1)],
        [L("AvgPool", 4), L("Flatten"), L("Dense", 3)],
    ], "ConvTranspose with stride, pad and outputPad, without bias, and at stride 1."),
    Network("PoolingFloor", (2, 9, 9), [
        [L("Conv", 3, 3, pad=1)],
        [L("MaxPool", 3, stride=2, pad=1), L("Relu")],
        [L("AvgPool", 3, stride=1, pad=1)],
        [L("MaxPool", 2, stride=1), L("AvgPool", 2)],
        [L("Flatten"), L("Dense", 3)],
    ], "Max and average pooling with padding (averages count the padding, as PyTorch's default) and strides other than the window."),
    Network("PoolingCeil", (2, 8, 8), [
        [L("Conv", 3, 3, pad=1)],
        [L("MaxPool", 3, stride=2, ceilMode=True)],
        [L("AvgPool", 3, stride=2, pad=1, ceilMode=True)],
        [L("MaxPool", 2, pad=1, ceilMode=True)],
        [L("Flatten"), L("Dense", 3)],
    ], "Ceil mode: partial windows at the end, the padded average's shrinking divisor, and PyTorch's rule dropping a window that starts in the right padding."),
    Network("BatchNormConv", (3, 6, 6), [
        [L("Conv", 4, 3, pad=1, bias=False), L("BatchNorm"), L("Relu")],
        [L("Conv", 4, 2, stride=2), L("BatchNorm", eps=1e-3, momentum=0.3), L("Relu")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3)],
    ], "BatchNorm on maps in training (batch statistics, running-statistics update) and evaluation, default and custom eps and momentum."),
    Network("Mlp", (1, 4, 4), [
        [L("Flatten"), L("Dense", 12), L("BatchNorm"), L("Relu"), L("Dropout", 0.0)],
        [L("Dense", 8), L("Elu")],
        [L("Dense", 6, bias=False), L("LeakyRelu")],
        [L("Dense", 3)],
    ], "Dense layers; BatchNorm on vectors; Dropout(0) (identity in training too); default Elu and LeakyRelu."),
    Network("ResidualIdentity", (2, 6, 6), [
        [L("Conv", 4, 3, pad=1), L("Relu")],
        [Residual(RES_BODY, 4), L("Relu")],
        [Residual(RES_BODY, 4), L("Relu")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3)],
    ], "Residual x + body(x), used twice (res1, res2), the body's width from a placeholder."),
    Network("ResidualProjection", (3, 7, 7), [
        [L("Conv", 4, 3, pad=1), L("Relu")],
        [Residual(PROJ_BODY, 6, 2, shortcut=PROJECTION), L("Relu")],
        [Residual(PROJ_BODY, 6, 1, shortcut=PROJECTION, shortcut_name="proj"), L("Relu")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3)],
    ], "Residual with a projection shortcut (stride 2, more channels), default and custom shortcut names."),
    Network("InceptionConcat", (3, 5, 5), [
        [Concat([BRANCH_1X1, BRANCH_3X3], 2)],
        [Concat([BRANCH_1X1, BRANCH_3X3, BRANCH_POOL], 2)],
        [Concat([BRANCH_1X1, BRANCH_WIDE, BRANCH_POOL, BRANCH_AVG], 2, 3, name="mixed")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3)],
    ], "Concat of two, three and four branches (pooling branches too), a branch reading the second placeholder, a named concat."),
    Network("RepeatNet", (2, 6, 6), [
        [L("Conv", 4, 3, pad=1)],
        [Repeat(REPEAT_UNIT, 3, 4)],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3)],
    ], "Repeat: three copies of a block, each with its own weights (repeat1.0 … repeat1.2)."),
    Network("NestedBlocks", (2, 5, 5), [
        [Use(STAGE, 4)],
        [Use(STAGE, 3, name="late")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3)],
    ], "Blocks within blocks: Use of a stage holding a Repeat of residuals whose body holds a Concat; placeholders passed on."),
    Network("MiniResNet", (3, 9, 9), [
        [L("Conv", 4, 3, pad=1, bias=False), L("BatchNorm"), L("Relu"), L("MaxPool", 3, stride=2, pad=1)],
        [Repeat(BASIC_UNIT, 2, 4, name="layer1")],
        [Use(DOWN_STAGE, 8, name="layer2")],
        [L("GlobalAvgPool"), L("Flatten"), L("Dense", 3, name="fc")],
    ], "torchvision's ResNet naming (layer1.0.conv1, layer2.0.downsample.0): Name overrides and an unscoped residual."),
    Network("InferenceHead", (1, 6, 6), [
        [L("Conv", 3, 3), L("Relu"), L("Dropout")],
        [L("MaxPool", 2), L("Flatten"), L("Dense", 5), L("Dropout", 0.25)],
        [L("Dense", 4), L("Softmax")],
    ], "Evaluation only (Dropout above 0 draws random masks): Dropout is the identity, Softmax ends the network.", eval_only=True),
]

LENET5 = Network("LeNet5", (1, 28, 28), [
    [L("Conv", 6, 5, pad=2), L("Relu"), L("MaxPool", 2)],
    [L("Conv", 16, 5), L("Relu"), L("MaxPool", 2)],
    [L("Flatten"), L("Dense", 120), L("Relu"), L("Dense", 84), L("Relu"), L("Dense", 10)],
], "LeNet-5 as DESIGN.md writes it; its PyTorch state_dict is lenet5_state_dict.safetensors.")
