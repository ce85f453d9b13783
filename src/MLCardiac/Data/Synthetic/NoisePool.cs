namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Spatially correlated unit-variance Gaussian noise fields for one subject: white noise filtered by the same k-space
/// window as the image (zero-fill interpolation and the reconstruction filter correlate neighbouring pixels' noise), each
/// normalised to unit variance. The renderer draws every noise component of every slice and frame from a randomly chosen
/// field at a random cyclic offset: the filter is circular, so a shifted field is another sample of the same process.
/// </summary>
internal sealed class NoisePool
{
    private readonly float[][] _fields;

    public NoisePool(int width, int height, KSpaceTruncation x, KSpaceTruncation y, int count, SeededRandom random)
    {
        Width = width;
        Height = height;
        _fields = new float[count][];
        var white = new float[width * height];
        var scratch = new float[width * height];
        for (int f = 0; f < count; f++)
        {
            for (int i = 0; i < white.Length; i++) white[i] = (float)random.Normal();
            var field = new float[width * height];
            KSpaceTruncation.FilterImage(x, y, white, field, scratch);
            double sum = 0;
            foreach (float v in field) sum += v * (double)v;
            float scale = (float)(1 / Math.Sqrt(sum / field.Length));
            for (int i = 0; i < field.Length; i++) field[i] *= scale;
            _fields[f] = field;
        }
    }

    public int Width { get; }

    public int Height { get; }

    public int Count => _fields.Length;

    public float[] Field(int index) => _fields[index];
}
