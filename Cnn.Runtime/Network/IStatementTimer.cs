namespace Cnn.Runtime.Network;

/// <summary>
/// Told when each statement of worker 0's generated passes ends (<see cref="NetworkBase.StatementTimer"/>), to time the real
/// passes statement by statement: a layer's cost inside the real step, with the caches as the step leaves them, which the layer
/// timed alone cannot show. Every call comes on worker 0's thread, the one that calls the network.
/// </summary>
public interface IStatementTimer
{
    /// <summary>Worker 0 starts a pass (a forward, a backward, or a training step's forward, loss and backward in one).</summary>
    void Start();

    /// <summary>
    /// A statement just ended: the forward statement of step <c>i</c> (its index in <see cref="NetworkPlan.Layers"/>) marks
    /// <c>i</c>, its backward statement <c>Layers.Count + i</c>, and the loss <see cref="LossStatement"/>. A BatchNorm that runs in
    /// its convolution's call marks nothing: its time is the convolution's.
    /// </summary>
    /// <param name="statement">Which statement.</param>
    void Mark(int statement);

    /// <summary>The statement number of the loss (softmax cross-entropy or squared error, with its gradient).</summary>
    public const int LossStatement = -1;
}
