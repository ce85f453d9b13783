namespace MLCardiac.Server.Contracts;

/// <summary>What <c>GET /healthz</c> answers.</summary>
/// <param name="Status">"ok".</param>
/// <param name="Model">The served model's id.</param>
/// <param name="Busy">Requests being segmented now.</param>
/// <param name="Waiting">Requests waiting for a worker.</param>
/// <param name="QueueLimit">Most requests allowed to wait.</param>
/// <param name="Results">Results held for download.</param>
public sealed record HealthInfo(string Status, string Model, int Busy, int Waiting, int QueueLimit, int Results);
