using System;
using Cnn.Runtime.Weights;

namespace Cnn.Runtime.Network;

public abstract partial class NetworkBase
{
    private StateDictLayout? _stateDictLayout;

    /// <summary>PyTorch's state_dict of this network: every tensor of <see cref="Layout"/> and one <c>num_batches_tracked</c> per BatchNorm.</summary>
    public StateDictLayout StateDictLayout => _stateDictLayout ??= StateDictLayout.FromParameters(_plan.Layout);

    /// <summary>
    /// Saves the weights, running statistics and BatchNorm counters as a safetensors state_dict with
    /// PyTorch's names and shapes (<c>torch.load</c>-free: <c>safetensors.torch.load_file</c> reads it),
    /// written to a temporary file and renamed, so a crash never leaves half a file.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    public void Save(string path) =>
        StateDict.Save(path, StateDictLayout, _parameters, _buffers, _batchesTracked);

    /// <summary>
    /// Loads a safetensors state_dict written by <see cref="Save"/> or by PyTorch for a model with the
    /// same names. The file must hold exactly this network's tensors with their shapes; otherwise one
    /// exception lists every difference and nothing is changed.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="StateDictMismatchException">The file's tensors differ from this network's.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    public void Load(string path) =>
        StateDict.Load(path, StateDictLayout, _parameters, _buffers, _batchesTracked);
}
