using System.Runtime.InteropServices;

namespace BioXBridge.Models;

/// <summary>
/// Turns NNPACK off on a CPU where it cannot initialise, so libtorch does not print
/// <c>[W… NNPACK.cpp] Could not initialize NNPACK! Reason: Unsupported hardware.</c> on every convolution it considers
/// for it (dozens of lines between a run's progress lines, and in notebooks' stderr). libtorch asks NNPACK for every
/// eligible convolution, warns when it fails and falls back to its own kernels; asking first, silently, and switching
/// NNPACK off where it fails removes the warnings and changes no result, since those kernels were the ones that ran.
/// Where NNPACK works it stays on. Neither TorchSharp 0.107 nor an environment variable exposes the switch (libtorch's
/// log level does not reach these lines), so this calls the two exported functions of libtorch_cpu that
/// <c>torch.backends.nnpack.set_flags(False)</c> calls in Python. Best effort: if a symbol is missing (another libtorch),
/// nothing changes but the noise.
/// </summary>
public static class Nnpack
{
    private static readonly Lazy<string> state = new(Configure);

    /// <summary>What was found: "on", "off (…)" or "unchanged (…)"; configures on first use.</summary>
    public static string State => state.Value;

    /// <summary>Runs the check once per process; called before the first model is built.</summary>
    public static void DisableWhereUnsupported() => _ = state.Value;

    /// <summary>libtorch's switch itself (torch.backends.nnpack.enabled): read and set on the global context.</summary>
    public static bool UserEnabled
    {
        get => Symbols() is { } s && s.Get(s.Context()) != 0;
        set { if (Symbols() is { } s) s.Set(s.Context(), value ? (byte)1 : (byte)0); }
    }

    private static string Configure()
    {
        if (Symbols() is not { } s) return "unchanged (this libtorch does not export the NNPACK switch)";
        // nnp_status nnp_initialize(void): 0 is nnp_status_success; idempotent, libtorch calls it again itself
        int status = s.Initialize();
        if (status == 0) return "on";
        UserEnabled = false;
        return $"off (NNPACK cannot initialise here: status {status})";
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int IntFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate nint PtrFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate byte GetFlagFn(nint context);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void SetFlagFn(nint context, byte enabled);

    // at::Context& at::globalContext(); bool at::Context::userEnabledNNPACK() const; void at::Context::setUserEnabledNNPACK(bool):
    // member functions take `this` as their first argument
    private sealed record NativeSymbols(IntFn Initialize, PtrFn Context, GetFlagFn Get, SetFlagFn Set);

    private static readonly Lazy<NativeSymbols?> symbols = new(() =>
    {
        _ = TorchSharp.torch.get_num_threads();   // TorchSharp loads libtorch on first use; the symbols are there after it
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var lib)) return null;
        T? Export<T>(string name) where T : Delegate =>
            NativeLibrary.TryGetExport(lib, name, out var f) ? Marshal.GetDelegateForFunctionPointer<T>(f) : null;
        return Export<IntFn>("nnp_initialize") is { } init && Export<PtrFn>("_ZN2at13globalContextEv") is { } context
            && Export<GetFlagFn>("_ZNK2at7Context17userEnabledNNPACKEv") is { } get && Export<SetFlagFn>("_ZN2at7Context20setUserEnabledNNPACKEb") is { } set
            ? new NativeSymbols(init, context, get, set) : null;
    });

    private static NativeSymbols? Symbols() => symbols.Value;
}
