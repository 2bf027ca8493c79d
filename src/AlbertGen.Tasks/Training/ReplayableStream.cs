namespace AlbertGen.Tasks.Training;

/// <summary>
/// The endless, deterministic item stream behind the training batch sources: epoch e's items come from
/// <c>epoch(e)</c> (which seeds its own order from e), one epoch after another; <see cref="Position"/> counts the items
/// handed out over all epochs, and <see cref="SeekTo"/> replays the stream to a position, so step s of a resumed run
/// sees the data an uninterrupted run saw. Two empty epochs in a row end the stream.
/// </summary>
internal sealed class ReplayableStream<T> : IDisposable where T : class
{
    readonly Func<int, IEnumerable<T>> _epochItems;
    readonly string _what;
    IEnumerator<T>? _stream;
    T? _peeked;
    int _epoch;
    long _position;

    /// <param name="epochItems">the items of one epoch</param>
    /// <param name="what">what the items are, for the error when the stream ends ("corpus", "sentence")</param>
    public ReplayableStream(Func<int, IEnumerable<T>> epochItems, string what)
    {
        _epochItems = epochItems;
        _what = what;
        Restart();
    }

    /// <summary>Index of the next item handed out, counted over all epochs.</summary>
    public long Position => _position;

    /// <summary>Moves to <paramref name="position"/>: forward by reading, backward by replaying from the start.</summary>
    public void SeekTo(long position)
    {
        if (position < _position) Restart();
        while (_position < position) Next();
    }

    /// <summary>Whether another item exists (reads ahead one item, across an epoch boundary if needed).</summary>
    public bool Peek()
    {
        if (_peeked is not null) return true;
        for (int tries = 0; tries < 2; tries++)
        {
            if (_stream!.MoveNext())
            {
                _peeked = _stream.Current;
                return true;
            }
            _stream.Dispose();
            _stream = _epochItems(++_epoch).GetEnumerator();
        }
        return false;
    }

    public T Next()
    {
        if (!Peek()) throw new InvalidOperationException($"the {_what} stream ended");
        var x = _peeked!;
        _peeked = null;
        _position++;
        return x;
    }

    /// <summary>
    /// <paramref name="items"/> through a seeded shuffle buffer of <paramref name="bufferSize"/> (tf.data's
    /// <c>shuffle</c>): each item past the first <paramref name="bufferSize"/> replaces a random buffered one, which is
    /// handed out; the rest are shuffled at the end. Memory stays bounded however long the epoch is.
    /// </summary>
    public static IEnumerable<T> Shuffled(IEnumerable<T> items, Random rng, int bufferSize)
    {
        var buffer = new List<T>(Math.Min(bufferSize, 1024));
        foreach (var item in items)
        {
            if (buffer.Count < bufferSize)
            {
                buffer.Add(item);
                continue;
            }
            int k = rng.Next(buffer.Count);
            yield return buffer[k];
            buffer[k] = item;
        }
        var rest = buffer.ToArray();
        rng.Shuffle(rest);
        foreach (var x in rest) yield return x;
    }

    public void Dispose() => _stream?.Dispose();

    void Restart()
    {
        _stream?.Dispose();
        _epoch = 0;
        _position = 0;
        _peeked = null;
        _stream = _epochItems(0).GetEnumerator();
    }
}
