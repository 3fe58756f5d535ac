namespace Cnn.Runtime.Kernels;

/// <summary>How <see cref="DirectConv"/> lays out the copy of a sample it convolves.</summary>
public enum DirectConvLayout
{
    /// <summary>The layout <see cref="DirectConv.LayoutFor"/> picks for the geometry.</summary>
    Auto,

    /// <summary>k copies of the input, one per kernel column, as wide as the output: no wasted lanes, k times the copying.</summary>
    ShiftedColumns,

    /// <summary>One zero-padded copy: the output's rows are computed W + 2p wide and the padding columns dropped.</summary>
    Padded,
}
