using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pipeline.Testing;

/// <summary>What a page did in the browser: its console errors and uncaught exceptions, the requests it tried, and the value of a script run after load.</summary>
public sealed record BrowserVisit(IReadOnlyList<string> Errors, IReadOnlyList<string> Requests, JsonNode? Result, byte[] Screenshot);

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket on a local port):
/// opens a file with every host resolving to nothing and a dead proxy (no network), records
/// console errors, uncaught exceptions, failed loads and every request that is not file: or data:,
/// then evaluates a script in the page and takes a screenshot.
/// </summary>
public static partial class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsUrl();

    public static async Task<BrowserVisit> VisitAsync(string file, string script, int width = 1200, int height = 900, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var profile = Directory.CreateTempSubdirectory("chromium-").FullName;
        var info = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", $"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9", "--remote-debugging-port=0",
            $"--window-size={width},{height}", "about:blank",
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var browser = Process.Start(info)!;
        try
        {
            string? url = null;
            while (url is null && await browser.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                url = DevToolsUrl().Match(line) is { Success: true } m ? m.Groups[1].Value : null;
            }

            _ = browser.StandardError.ReadToEndAsync(CancellationToken.None);
            using var devTools = new DevToolsConnection(new Uri(url ?? throw new InvalidOperationException("chromium printed no DevTools address")));
            await devTools.ConnectAsync(timeout.Token);
            var target = await devTools.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, timeout.Token);
            var attached = await devTools.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, null, timeout.Token);
            var session = attached["sessionId"]!.GetValue<string>();
            foreach (var domain in new[] { "Runtime", "Log", "Network", "Page" })
            {
                await devTools.SendAsync($"{domain}.enable", new JsonObject(), session, timeout.Token);
            }

            var loaded = devTools.WaitForEventAsync("Page.loadEventFired", timeout.Token);
            await devTools.SendAsync("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(file)).AbsoluteUri }, session, timeout.Token);
            await loaded;
            var evaluated = await devTools.SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = script, ["returnByValue"] = true, ["awaitPromise"] = true }, session, timeout.Token);
            var screenshot = await devTools.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, session, timeout.Token);
            return new BrowserVisit(
                [.. devTools.Errors],
                [.. devTools.Requests.Where(r => !r.StartsWith("file:", StringComparison.Ordinal) && !r.StartsWith("data:", StringComparison.Ordinal) && r != "about:blank")],
                evaluated["result"]?["value"]?.DeepClone(),
                Convert.FromBase64String(screenshot["data"]!.GetValue<string>()));
        }
        finally
        {
            browser.Kill(entireProcessTree: true);
            await browser.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>One DevTools WebSocket: numbered commands, their replies, and the events the visit records.</summary>
    private sealed class DevToolsConnection(Uri url) : IDisposable
    {
        private readonly ClientWebSocket socket = new();
        private readonly Dictionary<int, TaskCompletionSource<JsonNode>> pending = [];
        private readonly List<(string Method, TaskCompletionSource Seen)> waiters = [];
        private int nextId;

        public List<string> Errors { get; } = [];

        public List<string> Requests { get; } = [];

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            await socket.ConnectAsync(url, cancellationToken);
            _ = Task.Run(() => ReceiveAsync(cancellationToken), cancellationToken);
        }

        public async Task<JsonNode> SendAsync(string method, JsonObject parameters, string? session, CancellationToken cancellationToken)
        {
            var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
            int id;
            lock (pending)
            {
                id = ++nextId;
                pending[id] = reply;
            }

            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
            if (session is not null)
            {
                message["sessionId"] = session;
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
            return await reply.Task.WaitAsync(cancellationToken);
        }

        public Task WaitForEventAsync(string method, CancellationToken cancellationToken)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (waiters)
            {
                waiters.Add((method, seen));
            }

            return seen.Task.WaitAsync(cancellationToken);
        }

        private async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[1 << 20];
            var message = new MemoryStream();
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.ToArray())!;
                message.SetLength(0);
                if (node["id"] is { } id)
                {
                    TaskCompletionSource<JsonNode>? reply;
                    lock (pending)
                    {
                        pending.Remove(id.GetValue<int>(), out reply);
                    }

                    if (node["error"] is { } error)
                    {
                        reply?.TrySetException(new InvalidOperationException($"DevTools: {error.ToJsonString()}"));
                    }
                    else
                    {
                        reply?.TrySetResult(node["result"] ?? new JsonObject());
                    }

                    continue;
                }

                Record(node["method"]?.GetValue<string>() ?? "", node["params"]);
            }
        }

        private void Record(string method, JsonNode? parameters)
        {
            var console = method == "Runtime.consoleAPICalled" ? parameters?["type"]?.GetValue<string>() : null;
            var level = method == "Log.entryAdded" ? parameters?["entry"]?["level"]?.GetValue<string>() : null;
            if (console is "error" or "assert")
            {
                Errors.Add("console: " + parameters?["args"]?.ToJsonString());
            }
            else if (method == "Runtime.exceptionThrown")
            {
                Errors.Add("exception: " + parameters?["exceptionDetails"]?.ToJsonString());
            }
            else if (level == "error")
            {
                Errors.Add("log: " + parameters?["entry"]?.ToJsonString());
            }
            else if (method == "Network.requestWillBeSent")
            {
                Requests.Add(parameters?["request"]?["url"]?.GetValue<string>() ?? "");
            }

            lock (waiters)
            {
                foreach (var waiter in waiters.Where(w => w.Method == method))
                {
                    waiter.Seen.TrySetResult();
                }
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
