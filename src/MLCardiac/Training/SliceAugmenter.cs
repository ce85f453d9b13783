namespace MLCardiac.Training;

/// <summary>
/// Augments one training slice in place: image [H, W] and, when present, its label [H, W] (empty for an
/// unlabeled row). Must be a pure function of its arguments and of (<paramref name="seed"/>,
/// <paramref name="index"/>), so that a resumed run repeats an uninterrupted one exactly.
/// </summary>
public delegate void SliceAugmenter(Span<float> image, Span<byte> label, int height, int width, ulong seed, long index);

/// <summary>
/// Augments a stack of slices as one volume in place (image [depth, height, width]; label the same, or empty for an unlabeled
/// stack) — for 3D networks; deterministic in (<paramref name="seed"/>, <paramref name="index"/>) like <see cref="SliceAugmenter"/>.
/// </summary>
public delegate void StackAugmenter(Span<float> image, Span<byte> label, int depth, int height, int width, ulong seed, long index);
