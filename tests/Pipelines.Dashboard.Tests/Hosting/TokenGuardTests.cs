using Microsoft.AspNetCore.Http;
using Pipelines.Dashboard.Hosting;

namespace Pipelines.Dashboard.Tests.Hosting;

// Off loopback every read needs the token. Tests never bind a non-loopback address, so the guard is checked here.
public sealed class TokenGuardTests
{
    private const string Token = "0123456789abcdef-test-token";

    [Fact]
    public void Off_loopback_a_read_without_the_token_is_refused()
    {
        var guard = new TokenGuard(Token, requireForReads: true);

        Assert.False(guard.AllowsRead(new DefaultHttpContext()));
        Assert.False(guard.AllowsRead(With(query: "?token=wrong-token-wrong-token")));
        Assert.False(guard.AllowsRead(With(header: "Bearer wrong-token-wrong-token")));
    }

    [Fact]
    public void Off_loopback_a_read_with_the_token_is_allowed_and_the_query_token_becomes_a_cookie()
    {
        var guard = new TokenGuard(Token, requireForReads: true);

        Assert.True(guard.AllowsRead(With(header: "Bearer " + Token)));
        var fromQuery = With(query: "?token=" + Token);
        Assert.True(guard.AllowsRead(fromQuery));
        var cookie = fromQuery.Response.Headers.SetCookie.ToString();
        Assert.Contains("pipelines_dashboard_token=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var withCookie = new DefaultHttpContext();
        withCookie.Request.Headers.Cookie = "pipelines_dashboard_token=" + Token;
        Assert.True(guard.AllowsRead(withCookie));
    }

    [Fact]
    public void An_action_needs_the_token_in_the_header_even_with_the_cookie()
    {
        var guard = new TokenGuard(Token, requireForReads: false);
        var withCookie = new DefaultHttpContext();
        withCookie.Request.Headers.Cookie = "pipelines_dashboard_token=" + Token;

        Assert.True(guard.AllowsRead(new DefaultHttpContext()));
        Assert.False(guard.AllowsAction(withCookie));
        Assert.False(guard.AllowsAction(With(query: "?token=" + Token)));
        Assert.True(guard.AllowsAction(With(header: "Bearer " + Token)));
    }

    [Fact]
    public void Without_a_token_nothing_can_stop_the_job()
    {
        var guard = new TokenGuard(null, requireForReads: false);

        Assert.False(guard.CanStop);
        Assert.False(guard.AllowsAction(With(header: "Bearer anything-anything")));
    }

    private static DefaultHttpContext With(string? query = null, string? header = null)
    {
        var context = new DefaultHttpContext();
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        if (header is not null)
        {
            context.Request.Headers.Authorization = header;
        }

        return context;
    }
}
