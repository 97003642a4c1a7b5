using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.Testing;

/// <summary>
/// Azurite (the official emulator, pinned in infra/azurite) with its blob and queue services on free
/// loopback ports, its data in a temporary folder. Stop and Start keep the data, to simulate outages.
/// </summary>
public sealed class Azurite : IDisposable
{
    public const string Account = "devstoreaccount1";
    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly string data = Directory.CreateTempSubdirectory("azurite-").FullName;
    private Process? process;

    public Azurite()
    {
        Port = FreePort();
        QueuePort = FreePort();
        tablePort = FreePort();
        Start();
    }

    /// <summary>The blob service's port.</summary>
    public int Port { get; }

    public int QueuePort { get; }

    private readonly int tablePort;

    public string ConnectionString(string key = Key) =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={key};BlobEndpoint=http://127.0.0.1:{Port}/{Account};QueueEndpoint=http://127.0.0.1:{QueuePort}/{Account};";

    private static string Executable()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "infra", "azurite", "node_modules", ".bin", "azurite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("azurite not found under infra/azurite: run './run.sh setup'");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Start()
    {
        var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var a in new[] { "--blobPort", Text(Port), "--queuePort", Text(QueuePort), "--tablePort", Text(tablePort), "--location", data, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
        {
            info.ArgumentList.Add(a);
        }

        process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                foreach (var port in new[] { Port, QueuePort })
                {
                    using var client = new TcpClient();
                    client.Connect(IPAddress.Loopback, port);
                }

                return;
            }
            catch (SocketException)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"azurite exited with code {process.ExitCode}");
                }

                Thread.Sleep(100);
            }
        }

        throw new TimeoutException($"azurite did not listen on ports {Port} and {QueuePort} within 30 s");
    }

    /// <summary>Stops the service the way an operator would (SIGTERM: Azurite saves its data), killing it only if it hangs.</summary>
    public void Stop()
    {
        if (process is { HasExited: false })
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                term.WaitForExit();
            }

            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }

        process?.Dispose();
        process = null;
    }

    public void Dispose()
    {
        Stop();
        Directory.Delete(data, recursive: true);
    }
}
