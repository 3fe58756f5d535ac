using System;

namespace Cnn.Dsl;

/// <summary>
/// A residual connection, <c>x + TBody(x)</c>: the body's output must have the input's shape.
/// The body's layers are named inside this layer's scope (<c>res1.conv1.weight</c>).
/// </summary>
/// <typeparam name="TBody">A <see cref="BlockAttribute">[Block]</see> class.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute<TBody> : LayerAttribute
{
    /// <summary>A residual connection around <typeparamref name="TBody"/>.</summary>
    /// <param name="args">Values for the body's <see cref="Arg"/> placeholders, in order.</param>
    public ResidualAttribute(params int[] args)
    {
        Args = args;
    }

    /// <summary>Values for the body's placeholders.</summary>
    public int[] Args { get; }
}

/// <summary>
/// A residual connection with a projection, <c>TShortcut(x) + TBody(x)</c> (the ResNet
/// downsampling block): both sides must produce the same shape. Both get the same arguments.
/// </summary>
/// <typeparam name="TBody">A <see cref="BlockAttribute">[Block]</see> class for the main path.</typeparam>
/// <typeparam name="TShortcut">A <see cref="BlockAttribute">[Block]</see> class for the shortcut path.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute<TBody, TShortcut> : LayerAttribute
{
    /// <summary>A residual connection with a shortcut block.</summary>
    /// <param name="args">Values for both blocks' <see cref="Arg"/> placeholders, in order.</param>
    public ResidualAttribute(params int[] args)
    {
        Args = args;
    }

    /// <summary>Values for the blocks' placeholders.</summary>
    public int[] Args { get; }

    /// <summary>
    /// The scope of the shortcut's layers inside this layer's scope; <c>shortcut</c> by default
    /// (torchvision's ResNet calls it <c>downsample</c>).
    /// </summary>
    public string? ShortcutName { get; set; }
}

/// <summary>
/// Parallel branches joined by channel-wise concatenation (Inception): each branch gets the
/// same input; their spatial sizes must agree; output channels are the sum of the branches'.
/// Branches are named <c>branch1</c>, <c>branch2</c>, … inside this layer's scope.
/// </summary>
/// <typeparam name="TA">The first branch, a <see cref="BlockAttribute">[Block]</see> class.</typeparam>
/// <typeparam name="TB">The second branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute<TA, TB> : LayerAttribute
{
    /// <summary>Two branches.</summary>
    /// <param name="args">Values for every branch's <see cref="Arg"/> placeholders, in order.</param>
    public ConcatAttribute(params int[] args)
    {
        Args = args;
    }

    /// <summary>Values for the branches' placeholders.</summary>
    public int[] Args { get; }
}

/// <inheritdoc cref="ConcatAttribute{TA, TB}"/>
/// <typeparam name="TA">The first branch, a <see cref="BlockAttribute">[Block]</see> class.</typeparam>
/// <typeparam name="TB">The second branch.</typeparam>
/// <typeparam name="TC">The third branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute<TA, TB, TC> : LayerAttribute
{
    /// <summary>Three branches.</summary>
    /// <param name="args">Values for every branch's <see cref="Arg"/> placeholders, in order.</param>
    public ConcatAttribute(params int[] args)
    {
        Args = args;
    }

    /// <summary>Values for the branches' placeholders.</summary>
    public int[] Args { get; }
}

/// <inheritdoc cref="ConcatAttribute{TA, TB}"/>
/// <typeparam name="TA">The first branch, a <see cref="BlockAttribute">[Block]</see> class.</typeparam>
/// <typeparam name="TB">The second branch.</typeparam>
/// <typeparam name="TC">The third branch.</typeparam>
/// <typeparam name="TD">The fourth branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute<TA, TB, TC, TD> : LayerAttribute
{
    /// <summary>Four branches.</summary>
    /// <param name="args">Values for every branch's <see cref="Arg"/> placeholders, in order.</param>
    public ConcatAttribute(params int[] args)
    {
        Args = args;
    }

    /// <summary>Values for the branches' placeholders.</summary>
    public int[] Args { get; }
}

/// <summary>
/// <typeparamref name="TBody"/> applied <c>count</c> times in sequence, each copy with its own
/// weights, named <c>0</c>, <c>1</c>, … inside this layer's scope (as PyTorch's
/// <c>nn.Sequential</c>).
/// </summary>
/// <typeparam name="TBody">A <see cref="BlockAttribute">[Block]</see> class.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RepeatAttribute<TBody> : LayerAttribute
{
    /// <summary>Repeats a block.</summary>
    /// <param name="count">How many copies, at least 1.</param>
    /// <param name="args">Values for the block's <see cref="Arg"/> placeholders, in order.</param>
    public RepeatAttribute(int count, params int[] args)
    {
        Count = count;
        Args = args;
    }

    /// <summary>How many copies.</summary>
    public int Count { get; }

    /// <summary>Values for the block's placeholders.</summary>
    public int[] Args { get; }
}

/// <summary>
/// <typeparamref name="TBlock"/>'s layers applied here, once, like a function call: its layers
/// are named inside this layer's scope, by default the block's class name in lower camel case
/// plus an index (<c>stage1.conv1.weight</c>).
/// </summary>
/// <typeparam name="TBlock">A <see cref="BlockAttribute">[Block]</see> class.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UseAttribute<TBlock> : LayerAttribute
{
    /// <summary>Uses a block.</summary>
    /// <param name="args">Values for the block's <see cref="Arg"/> placeholders, in order.</param>
    public UseAttribute(params int[] args)
    {
        Args = args;
    }

    /// <summary>Values for the block's placeholders.</summary>
    public int[] Args { get; }
}
