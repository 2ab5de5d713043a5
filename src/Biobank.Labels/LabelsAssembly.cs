namespace Biobank.Labels;

public static class LabelsAssembly
{
    public static System.Reflection.Assembly Value => typeof(LabelsAssembly).Assembly;
}
