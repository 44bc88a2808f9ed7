using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// A real server process a test fixture starts on a free loopback port and stops by its process id.
/// Keeps the tail of its output so a failing test can say why the server did not come up.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private const int OutputLines = 200;
    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private StreamWriter? _log;

    private ServerProcess(Process process)
    {
        _process = process;
        // O2O_TEST_PROCESS_LOGS=<directory> keeps each process's whole output there, for diagnosing a slow test.
        if (Environment.GetEnvironmentVariable("O2O_TEST_PROCESS_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            _log = new StreamWriter(Path.Combine(logs, $"{Path.GetFileName(process.StartInfo.FileName)}-{process.Id}.log")) { AutoFlush = true };
        }
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/>; fails with <paramref name="installHint"/> when it is not installed.</summary>
    public static ServerProcess Start(string fileName, IEnumerable<string> arguments, string installHint,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        try
        {
            return new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException($"{fileName} did not start."));
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot start '{fileName}': {installHint}", ex);
        }
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <paramref name="ready"/> holds; the limit bounds a hang, it does not measure speed.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{what} exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                // Not answering yet.
                last = ex;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} did not become ready ({last?.Message}):\n{Output}");
    }

    public static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return true;
    }

    /// <summary>SIGKILL: the process gets no chance to leave the cluster politely.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>
    /// SIGTERM (or the <paramref name="signal"/> the server shuts down cleanly on), then waits for the
    /// process to end: a server shutting down as an operator would stop it.
    /// </summary>
    public void Stop(string signal = "TERM")
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        if (!_process.WaitForExit(30_000))
        {
            Kill();
        }
    }

    /// <summary>Sends <paramref name="signal"/> and returns at once: <c>STOP</c> freezes the server as a hung host would, <c>CONT</c> thaws it.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_output)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _log?.WriteLine(line);
            _output.Enqueue(line);
            while (_output.Count > OutputLines)
            {
                _output.Dequeue();
            }
        }
    }
}
