using Microsoft.Data.Sqlite;
using MLCardiac.Search;

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

    /// <inheritdoc/>
    protected override void ExecuteSql(string location, string sql)
    {
        using var c = new SqliteConnection($"Data Source={location};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [TestMethod]
    public void TrialStores_Resolve_OptionThenEnvironmentVariableThenDefault()
    {
        string? before = Environment.GetEnvironmentVariable(TrialStores.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(TrialStores.EnvironmentVariable, null);
            Assert.AreEqual("reports/mlcardiac.db", TrialStores.Resolve(null, "reports/mlcardiac.db"));
            Environment.SetEnvironmentVariable(TrialStores.EnvironmentVariable, "postgresql://u@h/db");
            Assert.AreEqual("postgresql://u@h/db", TrialStores.Resolve(null, "reports/mlcardiac.db"));
            Assert.AreEqual("mine.db", TrialStores.Resolve("mine.db", "reports/mlcardiac.db"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrialStores.EnvironmentVariable, before);
        }
    }
}
