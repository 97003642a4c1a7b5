using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace Pipeline.Testing;

/// <summary>
/// Azurite (the official emulator, pinned in infra/azurite) with its blob and queue services on free
/// loopback ports, its data in a temporary folder. Stop and Start keep the data, to simulate outages.
/// With <c>oauth</c>, it serves HTTPS with a self-signed certificate made here and accepts Entra
/// ID-shaped bearer tokens (<c>--oauth basic</c>, see <see cref="EmulatorToken"/>).
/// </summary>
public sealed class Azurite : IDisposable
{
    public const string Account = "devstoreaccount1";
    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly string data = Directory.CreateTempSubdirectory("azurite-").FullName;
    private Process? process;

    public Azurite(bool oauth = false)
    {
        Port = FreePort();
        QueuePort = FreePort();
        tablePort = FreePort();
        if (oauth)
        {
            Certificate = SelfSignedCertificate();
            File.WriteAllText(Path.Combine(data, "cert.pem"), Certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(data, "key.pem"), Certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        Start();
    }

    /// <summary>The HTTPS certificate in OAuth mode (null otherwise).</summary>
    public X509Certificate2? Certificate { get; }

    private string Scheme => Certificate is null ? "http" : "https";

    public Uri BlobEndpoint => new($"{Scheme}://127.0.0.1:{Port}/{Account}/");

    public Uri QueueEndpoint => new($"{Scheme}://127.0.0.1:{QueuePort}/{Account}/");

    /// <summary>A transport that trusts this instance's self-signed certificate (and only it), for SDK client options.</summary>
    public HttpPipelineTransport TrustingTransport() => new HttpClientTransport(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && Certificate is not null && certificate.Thumbprint == Certificate.Thumbprint,
    });

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    /// <summary>The blob service's port.</summary>
    public int Port { get; }

    public int QueuePort { get; }

    private readonly int tablePort;

    public string ConnectionString(string key = Key) =>
        $"DefaultEndpointsProtocol={Scheme};AccountName={Account};AccountKey={key};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};";

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
        var arguments = new List<string> { "--blobPort", Text(Port), "--queuePort", Text(QueuePort), "--tablePort", Text(tablePort), "--location", data, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry" };
        if (Certificate is not null)
        {
            arguments.AddRange(["--oauth", "basic", "--cert", Path.Combine(data, "cert.pem"), "--key", Path.Combine(data, "key.pem")]);
        }

        foreach (var a in arguments)
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
