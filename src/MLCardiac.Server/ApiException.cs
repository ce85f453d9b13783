namespace MLCardiac.Server;

/// <summary>A request the service refuses: the HTTP status and the reason, answered as RFC 9457 problem details.</summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the refusal.</summary>
    public ApiException(int statusCode, string title, string detail) : base(detail)
    {
        StatusCode = statusCode;
        Title = title;
    }

    /// <summary>Creates a 400 refusal.</summary>
    public ApiException() : this(400, "Bad request", "The request could not be processed.") { }

    /// <summary>Creates a 400 refusal with <paramref name="message"/> as the reason.</summary>
    public ApiException(string message) : this(400, "Bad request", message) { }

    /// <summary>Creates a 400 refusal with <paramref name="message"/> as the reason.</summary>
    public ApiException(string message, Exception innerException) : base(message, innerException)
    {
        StatusCode = 400;
        Title = "Bad request";
    }

    /// <summary>HTTP status code (4xx or 503).</summary>
    public int StatusCode { get; }

    /// <summary>Short, fixed title of the problem kind.</summary>
    public string Title { get; } = "Bad request";
}
