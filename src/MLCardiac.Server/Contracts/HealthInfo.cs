namespace MLCardiac.Server.Contracts;

/// <summary>What <c>GET /healthz</c> answers.</summary>
/// <param name="Status">"ok", or "degraded" when the memory budget is exhausted or the last requests all failed (<paramref name="Reasons"/> says which).</param>
/// <param name="Model">The served model's id.</param>
/// <param name="Busy">Requests being segmented now.</param>
/// <param name="Waiting">Requests waiting for a worker.</param>
/// <param name="QueueLimit">Most requests allowed to wait.</param>
/// <param name="Results">Results held for download.</param>
/// <param name="MemoryBudgetBytes">The process's memory budget.</param>
/// <param name="MemoryCapacityBytes">What requests may reserve together (the budget less what the loaded model holds).</param>
/// <param name="MemoryReservedBytes">What requests have reserved now.</param>
/// <param name="RecentFailures">Requests among the most recent that failed on the service's side (5xx).</param>
/// <param name="Reasons">Why the status is "degraded"; empty when "ok".</param>
public sealed record HealthInfo(
    string Status,
    string Model,
    int Busy,
    int Waiting,
    int QueueLimit,
    int Results,
    long MemoryBudgetBytes,
    long MemoryCapacityBytes,
    long MemoryReservedBytes,
    int RecentFailures,
    IReadOnlyList<string> Reasons);
