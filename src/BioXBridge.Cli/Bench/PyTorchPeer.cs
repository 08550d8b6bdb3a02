using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BioXBridge.Bridge;

namespace BioXBridge.Cli;

/// <summary>
/// PyTorch as the peer of the TorchSharp cases, through tools/bench/pytorch_peer.py. It is only a fair peer on an
/// optimised BLAS: Debian's python3-torch calls whatever libblas.so.3 the system names, the reference BLAS (~1 GFLOP/s)
/// unless libopenblas0-pthread is installed, so <see cref="Open"/> asks the process which BLAS it loaded and how fast a
/// matmul runs, and refuses anything else.
/// </summary>
public sealed class PyTorchPeer
{
    public const string Script = "tools/bench/pytorch_peer.py";

    /// <summary>A 512×512 float32 matmul slower than this is not an optimised BLAS (the reference one manages ~0.8).</summary>
    public const double MinimumGflops = 4;

    private readonly string python;
    private readonly int threads;

    /// <summary>What the probe said: torch version, BLAS kind and files, threads, matmul speed, OpenBLAS settings.</summary>
    public JsonObject Info { get; }

    private PyTorchPeer(string python, int threads, JsonObject info) => (this.python, this.threads, Info) = (python, threads, info);

    /// <summary>Probes the peer; <paramref name="ceiling"/> is the size of the large matmul our side's ceiling uses.</summary>
    public static PyTorchPeer Open(string python, int threads, int ceiling)
    {
        var probe = Run(python, threads, ["probe", "--ceiling", I(ceiling)]) ?? throw new UsageException(
            $"bench: the PyTorch peer ({python} {Script} probe) did not run; install python3-torch and libopenblas0-pthread, or pass --python none to skip every PyTorch case");
        var info = JsonNode.Parse(probe.GetRawText())!.AsObject();
        info["python"] = python;
        if (Refusal(info) is string why) throw new UsageException(why);
        return new PyTorchPeer(python, threads, info);
    }

    /// <summary>Why the probed PyTorch is no fair peer (not OpenBLAS or MKL, or a slow matmul), or null when it is one.</summary>
    public static string? Refusal(JsonObject probe)
    {
        var blas = probe["blas"]!.GetValue<string>();
        var gflops = probe["matmul_gflops"]!.GetValue<double>();
        if (blas is "openblas" or "mkl" && gflops >= MinimumGflops) return null;
        return $"bench: PyTorch runs on the '{blas}' BLAS ({string.Join(", ", probe["blas_files"]!.AsArray())}) at {gflops:F1} GFLOP/s " +
               $"for a 512×512 float32 matmul; a fair comparison needs an optimised BLAS (≥ {MinimumGflops} GFLOP/s). On Debian: " +
               "apt-get install --no-install-recommends libopenblas0-pthread. Or pass --python none to skip every PyTorch case.";
    }

    /// <summary>The full-size forward of one model (no_grad), same input shape and batch as our side.</summary>
    public Timing? Forward(string model, long[] shape, int batch, Timing ours, Repetitions r) =>
        Runs(["forward", "--model", model, "--shape", Shape(shape), .. Common(batch, ours, r)]);

    /// <summary>One cached bridge training step at the bridge's shape into the old model's block l.</summary>
    public Timing? BridgeStep(string oldModel, long[] oldShape, int outputPosition, BridgeConfig b, int batch, Timing ours, Repetitions r) =>
        Runs(["bridge-step", "--model", oldModel, "--shape", Shape(oldShape), "--output-position", I(outputPosition),
              "--d-in", I(b.InputDim), "--rank", I(b.Rank), "--prototypes", I(b.Prototypes), "--tokens", I(b.OutputTokens),
              "--width", I(b.OutputDim), .. Common(batch, ours, r)]);

    // as many timed runs as our side got, and its warm-up unless ours was long enough to need none (Timing.Measure)
    private static string[] Common(int batch, Timing ours, Repetitions r) =>
        ["--batch", I(batch), "--warmup", I(ours.Median > r.LongRunMs ? 0 : r.Warmup), "--repeats", I(ours.Runs.Length)];

    private Timing? Runs(string[] args) =>
        Run(python, threads, args) is { } r ? Timing.Of([.. r.GetProperty("runs").EnumerateArray().Select(v => v.GetDouble())]) : null;

    private static JsonElement? Run(string python, int threads, string[] args) =>
        PythonReference.Run(python, Script, [.. args, "--threads", I(threads)], threads, "bench: PyTorch peer");

    private static string Shape(long[] shape) => string.Join(",", shape);
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
