namespace MLCardiac.Data;

/// <summary>Which cardiac phase a record's frame is.</summary>
public enum FrameRole
{
    /// <summary>End-diastole (largest LV volume).</summary>
    ED,
    /// <summary>End-systole (smallest LV volume).</summary>
    ES,
}
