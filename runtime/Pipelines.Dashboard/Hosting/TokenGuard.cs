using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pipelines.Dashboard.Hosting;

/// <summary>
/// Checks the dashboard's token. Reads need it only off loopback (header, <c>?token=</c>, or the cookie set
/// when a <c>?token=</c> was accepted); an action that changes the job (stop) always needs it, and only in the
/// <c>Authorization</c> header, which another site's page cannot make a browser send (no cross-site requests).
/// </summary>
internal sealed class TokenGuard(string? token, bool requireForReads)
{
    private const string CookieName = "pipelines_dashboard_token";
    private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);

    public bool CanStop => _token is not null;

    public bool AllowsRead(HttpContext context)
    {
        if (!requireForReads)
        {
            return true;
        }

        if (FromHeader(context) is { } header && Matches(header))
        {
            return true;
        }

        if (context.Request.Query["token"].ToString() is { Length: > 0 } query && Matches(query))
        {
            context.Response.Cookies.Append(CookieName, query, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            return true;
        }

        return context.Request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie);
    }

    public bool AllowsAction(HttpContext context) => FromHeader(context) is { } header && Matches(header);

    private static string? FromHeader(HttpContext context)
    {
        var value = context.Request.Headers.Authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : null;
    }

    private bool Matches(string candidate) =>
        _token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
