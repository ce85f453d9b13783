namespace MLCardiac.Data;

/// <summary>Something wrong with a dataset on disk, found while indexing or inspecting it.</summary>
/// <param name="Subject">The subject concerned, or null for the dataset as a whole.</param>
/// <param name="Path">The file or folder concerned.</param>
/// <param name="Message">What is wrong, for a person.</param>
/// <param name="Fatal">True when the subject cannot be used.</param>
public sealed record DatasetProblem(string? Subject, string Path, string Message, bool Fatal);
