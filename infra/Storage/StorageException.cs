using System.Net;

namespace Pipeline.Storage;

/// <summary>A storage request that failed: the account, the operation, HTTP status and the service's error code.</summary>
public sealed class StorageException(string account, string operation, HttpStatusCode? status, string? errorCode, string message, Exception? inner = null)
    : Exception($"storage account '{account}': {operation} failed: {message}", inner)
{
    public string Account { get; } = account;

    public string Operation { get; } = operation;

    public HttpStatusCode? Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;
}
