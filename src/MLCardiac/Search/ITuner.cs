namespace MLCardiac.Search;

/// <summary>
/// Proposes the next configuration from the results seen so far. A tuner must be deterministic: the same
/// seed and the same sequence of <see cref="Propose"/>/<see cref="Report"/> calls give the same proposals — a
/// resumed search rebuilds its tuner by replaying the stored history, and checks that it does.
/// Scores are "higher is better" (the experiment negates a metric that is minimised).
/// </summary>
public interface ITuner
{
    /// <summary>Short name for reports ("random", "cfo").</summary>
    string Name { get; }

    /// <summary>The configuration of trial <paramref name="trial"/> (trials are numbered 0, 1, 2 … in proposal order).</summary>
    ParameterAssignment Propose(int trial);

    /// <summary>
    /// The result of a finished trial: its (possibly partial) score, NaN when it failed. Trials the tuner did not
    /// propose (e.g. the default pipeline) are reported too; a tuner may learn from them.
    /// </summary>
    void Report(TrialReport report);
}

/// <summary>A finished trial as a tuner sees it.</summary>
/// <param name="Trial">Trial number.</param>
/// <param name="Parameters">Its configuration.</param>
/// <param name="Score">Higher is better; NaN when the trial failed.</param>
/// <param name="Cost">What it cost (seconds, or the objective's own unit).</param>
/// <param name="Stopped">True when it was stopped early (its score is from fewer epochs than planned).</param>
public sealed record TrialReport(int Trial, ParameterAssignment Parameters, double Score, double Cost, bool Stopped);
