namespace MLCardiac.Data;

/// <summary>Finds which supported layout a dataset folder uses and indexes it.</summary>
public static class DatasetLayouts
{
    /// <summary>
    /// Indexes <paramref name="root"/> with the layout it uses: a folder with <c>cases.csv</c>, M&amp;Ms (also the
    /// synthetic dataset), M&amp;Ms-2 or ACDC.
    /// Throws <see cref="MLCardiacException"/> naming the folder when it is neither.
    /// </summary>
    public static DatasetIndex Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new MLCardiacException($"{root}: no such dataset folder.");
        if (FolderCsvLayout.Detect(root)) return FolderCsvLayout.Load(root);
        if (Mnms2Layout.Detect(root)) return Mnms2Layout.Load(root);
        if (MnmsLayout.Detect(root)) return MnmsLayout.Load(root);
        if (AcdcLayout.Detect(root)) return AcdcLayout.Load(root);
        throw new MLCardiacException($"{root}: not a dataset this build reads (folder + cases.csv; M&Ms: Training/Labeled + metadata CSV; M&Ms-2: dataset/NNN + dataset_information.csv; ACDC: patientNNN/Info.cfg).");
    }
}
