namespace MLCardiac.Search;

/// <summary>Life cycle of a trial in the store.</summary>
public enum TrialStatus
{
    /// <summary>Proposed (or released by a cancelled worker); waiting for a worker.</summary>
    Pending,
    /// <summary>Claimed by a worker, which refreshes its heartbeat; a stale heartbeat means the worker died.</summary>
    Running,
    /// <summary>Ran its whole epoch budget.</summary>
    Completed,
    /// <summary>Stopped early by ASHA; its metric is the last intermediate one.</summary>
    Stopped,
    /// <summary>Threw an error; its message is kept.</summary>
    Failed,
}
