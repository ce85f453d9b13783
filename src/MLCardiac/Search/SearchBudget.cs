using System.Globalization;

namespace MLCardiac.Search;

/// <summary>
/// When a search stops proposing: after <see cref="MaxTrials"/> trials in the store (over all runs and workers)
/// and/or after <see cref="WallTime"/> of this run (running trials are then released as pending, so a
/// later run with more time finishes them).
/// </summary>
/// <param name="MaxTrials">Trials at most; null: unlimited.</param>
/// <param name="WallTime">Wall time of this run; null: unlimited.</param>
public sealed record SearchBudget(int? MaxTrials = null, TimeSpan? WallTime = null)
{
    /// <summary>Checks the budget, which must limit something.</summary>
    /// <exception cref="MLCardiacException">Neither limit is set, or one is not positive.</exception>
    public void Validate()
    {
        if (MaxTrials is null && WallTime is null) throw new MLCardiacException("A search budget needs a trial count, a wall time, or both.");
        if (MaxTrials is < 1) throw new MLCardiacException($"The trial budget must be ≥ 1 (was {MaxTrials}).");
        if (WallTime is { } w && w <= TimeSpan.Zero) throw new MLCardiacException($"The time budget must be positive (was {w}).");
    }

    /// <summary>
    /// Parses a duration such as "30m", "1h30m", "90s", "2h" or "45" (minutes).
    /// </summary>
    /// <exception cref="MLCardiacException">The text is not a duration.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim().ToLowerInvariant();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double minutes) && minutes > 0)
            return TimeSpan.FromMinutes(minutes);
        var total = TimeSpan.Zero;
        int i = 0;
        bool any = false;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
            if (start == i || i >= s.Length) throw Bad();
            double v = double.Parse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            total += s[i] switch { 'h' => TimeSpan.FromHours(v), 'm' => TimeSpan.FromMinutes(v), 's' => TimeSpan.FromSeconds(v), _ => throw Bad() };
            i++;
            any = true;
        }
        if (!any || total <= TimeSpan.Zero) throw Bad();
        return total;
        MLCardiacException Bad() => new($"Budget \"{text}\" is not a duration: use e.g. 30m, 1h30m, 90s.");
    }
}
