namespace MLCardiac.Imaging;

/// <summary>
/// A file is not a NIfTI-1/NIfTI-2 image that MLCardiac can read: the message names the file and the reason
/// (truncated data, wrong magic, impossible dimensions, unsupported datatype, a size over a safety limit…).
/// </summary>
public sealed class NiftiFormatException : MLCardiacException
{
    /// <summary>Creates an exception with a message that names the file and the problem.</summary>
    public NiftiFormatException(string message) : base(message) { }

    /// <summary>Creates an exception with a message that names the file and the problem, and the underlying cause.</summary>
    public NiftiFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception with no message (prefer the overloads that explain the problem).</summary>
    public NiftiFormatException() { }

    /// <summary>Builds the standard message "<c>name: reason</c>".</summary>
    internal static NiftiFormatException For(string name, string reason) => new($"{name}: {reason}");
}
