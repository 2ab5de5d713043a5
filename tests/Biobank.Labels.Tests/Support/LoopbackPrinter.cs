using System.Net;
using System.Net.Sockets;

namespace Biobank.Labels.Tests.Support;

/// <summary>A stand-in Zebra printer on 127.0.0.1: accepts one connection and keeps every byte until the sender closes.</summary>
public sealed class LoopbackPrinter : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Task<byte[]> _received;

    public LoopbackPrinter(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _received = ReceiveAsync();
    }

    public int Port { get; }

    /// <summary>A loopback port with nothing listening on it.</summary>
    public static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async Task<byte[]> ReceivedAsync() => await _received.WaitAsync(TimeSpan.FromSeconds(10));

    private async Task<byte[]> ReceiveAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        using var buffer = new MemoryStream();
        await client.GetStream().CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public void Dispose() => _listener.Stop();
}
