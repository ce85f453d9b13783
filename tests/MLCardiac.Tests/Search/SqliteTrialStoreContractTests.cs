using Microsoft.Data.Sqlite;

namespace MLCardiac.Tests.Search;

/// <summary>The trial-store suite on a SQLite file.</summary>
[TestClass]
public sealed class SqliteTrialStoreContractTests : TrialStoreContractTests
{
    /// <inheritdoc/>
    protected override string NewStore() => Path.Combine(TestDirectory, $"store-{Guid.NewGuid():N}.db");

    /// <inheritdoc/>
    protected override void SetSchemaVersion(string location, int version)
    {
        using var c = new SqliteConnection($"Data Source={location};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE trial_store_schema SET version = $v";
        cmd.Parameters.AddWithValue("$v", version);
        cmd.ExecuteNonQuery();
    }
}
