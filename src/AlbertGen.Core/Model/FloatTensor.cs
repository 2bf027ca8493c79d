namespace AlbertGen.Model;

/// <summary>A dense row-major float32 tensor: shape plus data. The unit of model inputs and outputs.</summary>
public sealed class FloatTensor
{
    public FloatTensor(int[] shape, float[] data)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (n != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] has {n} elements, data has {data.Length}");
        Shape = shape;
        Data = data;
    }

    public FloatTensor(params int[] shape) : this(shape, new float[shape.Aggregate(1L, (a, b) => a * b)]) { }

    public int[] Shape { get; }
    public float[] Data { get; }
    public int Rank => Shape.Length;
    public int Length => Data.Length;

    public static FloatTensor Scalar(float value) => new([], [value]);

    public FloatTensor Clone() => new((int[])Shape.Clone(), (float[])Data.Clone());

    public override string ToString() => $"FloatTensor[{string.Join(", ", Shape)}]";
}
