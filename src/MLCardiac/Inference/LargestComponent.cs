namespace MLCardiac.Inference;

/// <summary>
/// Keeps, for each structure, only its largest 3D connected component and sets the rest to background —
/// the post-processing nnU-Net applies when it helps cardiac segmentations, which are single objects.
/// Connectivity is 8-neighbour in-plane and straight through-plane (same x, y in the next slice), which
/// suits short-axis stacks with thick slices. Holes are never filled: the myocardium stays a ring.
/// </summary>
public static class LargestComponent
{
    /// <summary>
    /// Applies the filter in place to labels [nz, ny, nx] (x fastest) for the structures in <paramref name="only"/> (null:
    /// every structure 1..classes−1); returns how many voxels were removed.
    /// </summary>
    public static int Apply(Span<float> labels, int nx, int ny, int nz, int classes = 4, IReadOnlyCollection<int>? only = null)
    {
        if (labels.Length != (long)nx * ny * nz) throw new ArgumentException($"Expected {nx}×{ny}×{nz} voxels, got {labels.Length}.", nameof(labels));
        var component = new int[labels.Length];
        var queue = new int[labels.Length];
        int removed = 0;
        for (int c = 1; c < classes; c++)
        {
            if (only is not null && !only.Contains(c)) continue;
            Array.Clear(component);
            var sizes = new List<int> { 0 };
            for (int start = 0; start < labels.Length; start++)
            {
                if (labels[start] != c || component[start] != 0) continue;
                int id = sizes.Count, head = 0, tail = 0, size = 0;
                queue[tail++] = start;
                component[start] = id;
                while (head < tail)
                {
                    int v = queue[head++];
                    size++;
                    int x = v % nx, y = v / nx % ny, z = v / (nx * ny);
                    for (int dz = -1; dz <= 1; dz++)
                        for (int dy = -1; dy <= 1; dy++)
                            for (int dx = -1; dx <= 1; dx++)
                            {
                                if (dz != 0 && (dx != 0 || dy != 0)) continue; // through-plane: straight only
                                if (dx == 0 && dy == 0 && dz == 0) continue;
                                int xx = x + dx, yy = y + dy, zz = z + dz;
                                if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
                                int n = (zz * ny + yy) * nx + xx;
                                if (labels[n] == c && component[n] == 0)
                                {
                                    component[n] = id;
                                    queue[tail++] = n;
                                }
                            }
                }
                sizes.Add(size);
            }
            if (sizes.Count <= 2) continue; // zero or one component
            int keep = sizes.IndexOf(sizes.Max());
            for (int i = 0; i < labels.Length; i++)
            {
                if (component[i] != 0 && component[i] != keep)
                {
                    labels[i] = 0;
                    removed++;
                }
            }
        }
        return removed;
    }
}
