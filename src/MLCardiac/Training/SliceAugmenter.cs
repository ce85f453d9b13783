namespace MLCardiac.Training;

/// <summary>
/// Augments one training slice in place: image [H, W] and, when present, its label [H, W] (empty for an
/// unlabeled row). Must be a pure function of its arguments and of (<paramref name="seed"/>,
/// <paramref name="index"/>), so that a resumed run repeats an uninterrupted one exactly.
/// </summary>
public delegate void SliceAugmenter(Span<float> image, Span<byte> label, int height, int width, ulong seed, long index);
