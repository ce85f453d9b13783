using System.ComponentModel;
using MLCardiac.Augmentation;
using MLCardiac.Cli.Preview;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac augment --preview OUT.png [--preset heavy] [--seed N]</c>: draws a figure of what an augmentation
/// preset does to a slice (built-in synthetic short-axis phantom until the phantom dataset exists).
/// </summary>
internal sealed class AugmentCommand : Command<AugmentCommand.Settings>
{
    /// <summary>Command-line settings of <c>augment</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        /// <summary>PNG file to write the preview figure to.</summary>
        [CommandOption("--preview <OUT.png>")]
        [Description("Write a preview figure (PNG) of the preset's augmentations to this file.")]
        public string? Preview { get; init; }

        /// <summary>Preset name: none, standard or heavy (any case).</summary>
        [CommandOption("--preset <NAME>")]
        [Description("Augmentation preset: none, standard or heavy. Default: heavy.")]
        [DefaultValue("heavy")]
        public string Preset { get; init; } = "heavy";

        /// <summary>Seed of every random choice in the figure.</summary>
        [CommandOption("--seed <N>")]
        [Description("Seed for the random draws (same seed, same figure). Default: 0.")]
        [DefaultValue(0UL)]
        public ulong Seed { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Preview))
            {
                return ValidationResult.Error("Nothing to do: give --preview OUT.png.");
            }

            return ValidationResult.Success();
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        AugmentationPreset preset = AugmentationPipeline.ParsePreset(settings.Preset);
        (int width, int height) = AugmentationPreview.Write(settings.Preview!, preset, settings.Seed);
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{settings.Preview}[/] ({width}×{height}, preset {preset.ToString().ToLowerInvariant()}, seed {settings.Seed}).");
        return 0;
    }
}
