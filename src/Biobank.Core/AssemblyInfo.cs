namespace Biobank.Core;

/// <summary>Marker for the Core assembly (embedded migrations live here).</summary>
public static class CoreAssembly
{
    public static System.Reflection.Assembly Value => typeof(CoreAssembly).Assembly;
}
