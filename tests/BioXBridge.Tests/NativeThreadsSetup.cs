using System.Runtime.CompilerServices;

namespace BioXBridge.Tests;

internal static class NativeThreadsSetup
{
    // before any test touches libtorch (the library's own initializer may run too late when a test calls torch first)
    [ModuleInitializer]
    internal static void Configure() => BioXBridge.NativeThreads.Configure();
}
