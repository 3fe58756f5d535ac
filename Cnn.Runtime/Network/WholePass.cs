namespace Cnn.Runtime.Network;

public abstract partial class NetworkBase
{
    /// <summary>
    /// A one-sample inference pass as one part, for worker 1 to run whole (<see cref="WorkerPool.Delegate"/>) when
    /// <see cref="SharedInference.RunsOnWorker"/> says so: the work <see cref="Dispatch"/> runs alone, on worker 1's thread.
    /// </summary>
    private sealed class WholePass(NetworkBase network) : IPartedWork
    {
        public void RunPart(int part, int worker) => network.RunAlone();
    }
}
