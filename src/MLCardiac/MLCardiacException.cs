namespace MLCardiac;

/// <summary>
/// Base type of every error MLCardiac raises for bad input or a failed operation that a user can act on.
/// The message is written for the user: it names the file or argument and the problem.
/// </summary>
public class MLCardiacException : Exception
{
    /// <summary>Creates an exception with a user-facing message.</summary>
    public MLCardiacException(string message) : base(message) { }

    /// <summary>Creates an exception with a user-facing message and the underlying cause.</summary>
    public MLCardiacException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception with no message (prefer the overloads that explain the problem).</summary>
    public MLCardiacException() { }
}
