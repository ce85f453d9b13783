using MLCardiac.Imaging;

namespace MLCardiac.Experiments;

/// <summary>A trained arm, ready to segment: image volume and frame in, label volume on the image's grid out.</summary>
public interface IArmSegmenter : IDisposable
{
    /// <summary>Segments frame <paramref name="frame"/> of <paramref name="image"/>; labels 0–3 on the image's own grid.</summary>
    Volume Segment(Volume image, int frame);
}
