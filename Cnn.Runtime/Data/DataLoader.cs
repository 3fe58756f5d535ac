using System;
using System.Linq;
using Cnn.Runtime.Data.Augmentations;

namespace Cnn.Runtime.Data;

/// <summary>
/// Serves a <see cref="Dataset"/> as batches: a seeded shuffle per epoch, then per sample a copy
/// into the batch buffer, the augmentations and the normalization. The order of epoch e depends
/// only on (seed, e), and a sample's augmentation only on (seed, e, its dataset index), so the
/// batches are the same whatever the thread, fill order or previous epochs. Buffers are
/// preallocated: after the first batch, filling allocates nothing.
/// </summary>
public sealed class DataLoader
{
    // Stream numbers for SampleRandom, so shuffling and augmentation never share a sequence.
    private const long ShuffleStream = -1;

    private readonly Augmentation[] _augmentations;
    private readonly int[] _order;
    private readonly object _orderLock = new();
    private int _orderEpoch = -1;
    private Batch? _batch;

    /// <summary>Creates a loader; augmentations and normalization are checked against the dataset's sample shape here.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="options">Shuffling, seed, drop-last, augmentations, normalization; defaults shuffle with seed 0 and nothing else.</param>
    public DataLoader(Dataset dataset, int batchSize, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Options = options ?? new DataLoaderOptions();
        if (Options.DropLast && dataset.Count < batchSize)
        {
            throw new ArgumentException($"with drop-last, batches of {batchSize} leave no batch from {dataset.Count} samples", nameof(batchSize));
        }
        if (Options.Normalization is { } normalization && normalization.Channels != dataset.SampleShape.C)
        {
            throw new ArgumentException($"the normalization has {normalization.Channels} channels, the samples {dataset.SampleShape}", nameof(options));
        }
        _augmentations = Options.Augmentations.ToArray();
        foreach (var augmentation in _augmentations)
        {
            augmentation.Validate(dataset.SampleShape);
        }

        Dataset = dataset;
        BatchSize = batchSize;
        BatchCount = Options.DropLast ? dataset.Count / batchSize : (dataset.Count + batchSize - 1) / batchSize;
        _order = new int[dataset.Count];
    }

    /// <summary>The samples served.</summary>
    public Dataset Dataset { get; }

    /// <summary>Samples per batch (the last batch of an epoch may hold fewer unless <see cref="DataLoaderOptions.DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>The options in force.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>A new batch buffer sized for this loader, e.g. one per worker for filling ahead.</summary>
    public Batch CreateBatch() => new(BatchSize, Dataset.SampleShape);

    /// <summary>
    /// The batches of <paramref name="epoch"/>, each filled into one buffer owned by the loader
    /// (so a batch is valid until the next is produced). Enumerating allocates nothing after the
    /// first use.
    /// </summary>
    public EpochBatches Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        _batch ??= CreateBatch();
        return new EpochBatches(this, epoch, _batch);
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with batch <paramref name="batchIndex"/> of
    /// <paramref name="epoch"/>. Batches of one epoch may be filled concurrently into distinct
    /// buffers; moving to another epoch must wait until they are done.
    /// </summary>
    public void Fill(int epoch, int batchIndex, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((uint)batchIndex >= (uint)BatchCount)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"an epoch has {BatchCount} batches");
        }
        if (batch.Capacity != BatchSize || batch.SampleShape != Dataset.SampleShape)
        {
            throw new ArgumentException("the batch was not created by this loader", nameof(batch));
        }
        PrepareOrder(epoch);

        var start = batchIndex * BatchSize;
        var count = Math.Min(BatchSize, Dataset.Count - start);
        var size = Dataset.SampleSize;
        var shape = Dataset.SampleShape;
        for (var i = 0; i < count; i++)
        {
            var index = _order[start + i];
            var sample = batch.ImageBuffer.AsSpan(i * size, size);
            Dataset.Image(index).CopyTo(sample);
            if (_augmentations.Length > 0)
            {
                var random = new SampleRandom(Options.Seed, epoch, index);
                foreach (var augmentation in _augmentations)
                {
                    augmentation.Apply(sample, shape, ref random, batch.Scratch);
                }
            }
            Options.Normalization?.Apply(sample, shape);
            batch.LabelBuffer[i] = Dataset.Label(index);
            batch.IndexBuffer[i] = index;
        }
        batch.Count = count;
        batch.Epoch = epoch;
        batch.Index = batchIndex;
    }

    private void PrepareOrder(int epoch)
    {
        lock (_orderLock)
        {
            if (_orderEpoch == epoch)
            {
                return;
            }
            // Restart from the identity each time, so epoch e's order never depends on the epochs before it.
            for (var i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }
            if (Options.Shuffle)
            {
                var random = new SampleRandom(Options.Seed, ShuffleStream, epoch);
                for (var i = _order.Length - 1; i > 0; i--)
                {
                    var j = random.NextInt(i + 1);
                    (_order[i], _order[j]) = (_order[j], _order[i]);
                }
            }
            _orderEpoch = epoch;
        }
    }

    /// <summary>The batches of one epoch, for <c>foreach</c> without allocation.</summary>
    public readonly struct EpochBatches
    {
        private readonly DataLoader _loader;
        private readonly int _epoch;
        private readonly Batch _batch;

        internal EpochBatches(DataLoader loader, int epoch, Batch batch)
        {
            _loader = loader;
            _epoch = epoch;
            _batch = batch;
        }

        /// <summary>Starts the enumeration.</summary>
        public Enumerator GetEnumerator() => new(_loader, _epoch, _batch);
    }

    /// <summary>Fills the loader's buffer with each batch in turn.</summary>
    public struct Enumerator
    {
        private readonly DataLoader _loader;
        private readonly int _epoch;
        private int _next;

        internal Enumerator(DataLoader loader, int epoch, Batch batch)
        {
            _loader = loader;
            _epoch = epoch;
            Current = batch;
        }

        /// <summary>The batch just filled.</summary>
        public Batch Current { get; }

        /// <summary>Fills the next batch; false after the last.</summary>
        public bool MoveNext()
        {
            if (_next >= _loader.BatchCount)
            {
                return false;
            }
            _loader.Fill(_epoch, _next++, Current);
            return true;
        }
    }
}
