using MLCardiac.IO;
using MLCardiac.Augmentation;
using SkiaSharp;

namespace MLCardiac.Cli.Preview;

/// <summary>
/// Draws a paper-style figure of a preset's augmentations on the built-in synthetic short-axis slice: row 1
/// the original (with its label contours) and full-pipeline draws, row 2 each spatial component, row 3 each
/// intensity transform, row 4 each MRI artefact. Every panel is titled with the drawn parameters.
/// </summary>
internal static class AugmentationPreview
{
    /// <summary>Slice size in pixels.</summary>
    public const int SliceSize = 128;

    /// <summary>Display magnification of each slice.</summary>
    public const int Zoom = 2;

    /// <summary>Height of a panel's title strip in pixels.</summary>
    public const int TitleHeight = 24;

    /// <summary>Pixel spacing of the synthetic slice in mm.</summary>
    public const double SpacingMm = 1.25;

    /// <summary>Width of one panel in pixels.</summary>
    public const int PanelWidth = SliceSize * Zoom;

    /// <summary>Height of one panel (title + slice) in pixels.</summary>
    public const int PanelHeight = (SliceSize * Zoom) + TitleHeight;

    private static readonly SKColor[] LabelColors = [SKColors.Transparent, new(255, 70, 70), new(80, 220, 80), new(70, 140, 255)];

    /// <summary>The rows of panels for <paramref name="preset"/>, each panel a title and a deterministic transform (null = original).</summary>
    public static IReadOnlyList<IReadOnlyList<(string Title, IAugmentation? Effect, bool Contours)>> Panels(AugmentationPreset preset, ulong seed)
    {
        var pipeline = AugmentationPipeline.FromPreset(preset);
        var rows = new List<IReadOnlyList<(string, IAugmentation?, bool)>>();
        var first = new List<(string, IAugmentation?, bool)> { ("original + labels", null, true) };
        if (preset != AugmentationPreset.None)
        {
            for (int i = 0; i < 3; i++)
            {
                first.Add(($"{preset.ToString().ToLowerInvariant()} draw {i + 1}", new PipelineDraw(pipeline, seed, i), true));
            }
        }

        rows.Add(first);
        var spatial = pipeline.Steps.Select(s => s.Transform).OfType<RandomSpatialTransform>().FirstOrDefault();
        if (spatial is not null)
        {
            var row = new List<(string, IAugmentation?, bool)>();
            int panel = 100;
            foreach (RandomSpatialTransform component in SpatialComponents(spatial))
            {
                IAugmentation effect = component.Sample(AugmentationRandom.ForSample(seed, panel++));
                row.Add((effect.Describe(), effect, true));
            }

            rows.Add(row);
        }

        string[] artefacts = ["bias field", "motion", "ghosting", "k-space spike", "gibbs ringing"];
        var intensity = new List<(string, IAugmentation?, bool)>();
        var artefact = new List<(string, IAugmentation?, bool)>();
        int index = 200;
        foreach (AugmentationStep step in pipeline.Steps.Where(s => !s.Transform.IsSpatial))
        {
            IAugmentation effect = step.Transform.Sample(AugmentationRandom.ForSample(seed, index++));
            (artefacts.Contains(step.Transform.Name) ? artefact : intensity).Add((effect.Describe(), effect, false));
        }

        if (intensity.Count > 0)
        {
            rows.Add(intensity);
        }

        if (artefact.Count > 0)
        {
            rows.Add(artefact);
        }

        return rows;
    }

    /// <summary>Figure size in pixels for <paramref name="preset"/>.</summary>
    public static (int Width, int Height) Size(AugmentationPreset preset)
    {
        var rows = Panels(preset, 0);
        return (rows.Max(r => r.Count) * PanelWidth, rows.Count * PanelHeight);
    }

    /// <summary>Renders the figure and writes it as PNG to <paramref name="path"/> (atomically: temporary file, then move).</summary>
    public static (int Width, int Height) Write(string path, AugmentationPreset preset, ulong seed)
    {
        var rows = Panels(preset, seed);
        int columns = rows.Max(r => r.Count);
        int width = columns * PanelWidth, height = rows.Count * PanelHeight;
        var original = new float[SliceSize * SliceSize];
        var originalLabel = new byte[SliceSize * SliceSize];
        SyntheticCardiacSlice.Generate(original, originalLabel, SliceSize, SliceSize, new AugmentationRandom(seed));
        float[] sorted = [.. original.Order()];
        float low = sorted[(int)(0.005 * sorted.Length)], high = sorted[(int)(0.995 * sorted.Length)];

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(new SKColor(24, 24, 28));
        using var typeface = LoadTypeface();
        using var font = new SKFont(typeface, 13);
        using var textPaint = new SKPaint { IsAntialias = true, Color = SKColors.White };
        var workspace = new AugmentationWorkspace();
        var image = new float[original.Length];
        var label = new byte[original.Length];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Count; c++)
            {
                (string title, IAugmentation? effect, bool contours) = rows[r][c];
                original.CopyTo(image, 0);
                originalLabel.CopyTo(label, 0);
                effect?.Apply(new AugmentationSample(image, label, SliceSize, SliceSize, SpacingMm, SpacingMm), workspace);
                int x0 = c * PanelWidth, y0 = r * PanelHeight;
                using (SKBitmap bitmap = ToBitmap(image, contours ? label : null, low, high))
                using (SKImage panel = SKImage.FromBitmap(bitmap))
                {
                    canvas.DrawImage(panel, new SKRect(x0, y0 + TitleHeight, x0 + PanelWidth, y0 + PanelHeight), new SKSamplingOptions(SKFilterMode.Nearest));
                }

                string text = effect is PipelineDraw ? title : Shorten(title, font, PanelWidth - 8);
                canvas.DrawText(text, x0 + 4, y0 + TitleHeight - 7, SKTextAlign.Left, font, textPaint);
            }
        }

        using SKImage snapshot = surface.Snapshot();
        using SKData png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        AtomicFile.Write(path, png.SaveTo);
        return (width, height);
    }

    private static IEnumerable<RandomSpatialTransform> SpatialComponents(RandomSpatialTransform s)
    {
        RandomSpatialTransform Only(double rotation = 0, double scaling = 0, double anisotropic = 0, double shear = 0, double translation = 0, double elastic = 0, double mirrorX = 0, double mirrorY = 0) => new()
        {
            RotationProbability = rotation,
            RotationDegrees = s.RotationDegrees,
            ScalingProbability = scaling,
            Scale = s.Scale,
            AnisotropicScalingProbability = anisotropic,
            AnisotropicScale = s.AnisotropicScale,
            ShearProbability = shear,
            Shear = s.Shear,
            TranslationProbability = translation,
            TranslationMm = s.TranslationMm,
            ElasticProbability = elastic,
            ElasticControlPoints = s.ElasticControlPoints,
            ElasticMaxDisplacementMm = s.ElasticMaxDisplacementMm,
            MirrorXProbability = mirrorX,
            MirrorYProbability = mirrorY,
            Border = s.Border,
            FillValue = s.FillValue,
            LabelInterpolation = s.LabelInterpolation,
        };

        if (s.RotationProbability > 0)
        {
            yield return Only(rotation: 1);
        }

        if (s.ScalingProbability > 0)
        {
            yield return Only(scaling: 1);
        }

        if (s.AnisotropicScalingProbability > 0 || s.ShearProbability > 0)
        {
            yield return Only(anisotropic: s.AnisotropicScalingProbability > 0 ? 1 : 0, shear: s.ShearProbability > 0 ? 1 : 0);
        }

        if (s.TranslationProbability > 0)
        {
            yield return Only(translation: 1);
        }

        if (s.ElasticProbability > 0)
        {
            yield return Only(elastic: 1);
        }

        if (s.MirrorXProbability > 0 || s.MirrorYProbability > 0)
        {
            yield return Only(mirrorX: 1, mirrorY: 0);
        }
    }

    private static SKBitmap ToBitmap(float[] image, byte[]? label, float low, float high)
    {
        var bitmap = new SKBitmap(new SKImageInfo(SliceSize, SliceSize, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = new SKColor[image.Length];
        float scale = 255 / Math.Max(high - low, 1e-6f);
        for (int i = 0; i < image.Length; i++)
        {
            byte g = (byte)Math.Clamp((image[i] - low) * scale, 0, 255);
            pixels[i] = new SKColor(g, g, g);
        }

        if (label is not null)
        {
            for (int y = 0; y < SliceSize; y++)
            {
                for (int x = 0; x < SliceSize; x++)
                {
                    byte l = label[(y * SliceSize) + x];
                    if (l == 0 || l >= LabelColors.Length)
                    {
                        continue;
                    }

                    bool edge = x == 0 || y == 0 || x == SliceSize - 1 || y == SliceSize - 1
                        || label[(y * SliceSize) + x - 1] != l || label[(y * SliceSize) + x + 1] != l
                        || label[((y - 1) * SliceSize) + x] != l || label[((y + 1) * SliceSize) + x] != l;
                    if (edge)
                    {
                        pixels[(y * SliceSize) + x] = LabelColors[l];
                    }
                }
            }
        }

        bitmap.Pixels = pixels;
        return bitmap;
    }

    private static string Shorten(string text, SKFont font, float maxWidth)
    {
        if (font.MeasureText(text) <= maxWidth)
        {
            return text;
        }

        while (text.Length > 1 && font.MeasureText(text + "…") > maxWidth)
        {
            text = text[..^1];
        }

        return text + "…";
    }

    /// <summary>
    /// A typeface that can draw text without fontconfig (the NoDependencies native build has none): DejaVu Sans
    /// or Liberation Sans from the usual Linux paths, else Skia's default.
    /// </summary>
    private static SKTypeface LoadTypeface()
    {
        string[] candidates =
        [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/TTF/DejaVuSans.ttf",
        ];
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate) && SKTypeface.FromFile(candidate) is { } typeface)
            {
                return typeface;
            }
        }

        return SKTypeface.FromFamilyName("sans-serif") ?? SKTypeface.Default;
    }

    /// <summary>A whole-pipeline draw as one panel.</summary>
    private sealed class PipelineDraw(AugmentationPipeline pipeline, ulong seed, long index) : IAugmentation
    {
        public string Describe() => "pipeline draw";

        public void Apply(AugmentationSample sample, AugmentationWorkspace workspace) => pipeline.Apply(sample, seed, index, workspace);
    }
}
