namespace AlbertGen.Cli.Tests;

/// <summary><c>albertgen selftest</c>: the kernels this machine runs pass against their naive twins, and it says which.</summary>
public class SelfTestCommandTests
{
    [Fact]
    public void Selftest_passes_and_names_the_kernels()
    {
        var r = Cli.RunWithInput(null, "selftest");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("kernels", lines[0]);
        Assert.Contains("; int8 ", lines[0]);
        Assert.Matches(@"^\d+ passed, 0 failed$", lines[^1].Trim());
        Assert.DoesNotContain("FAIL", r.Stdout);
        int passed = int.Parse(lines[^1].Split(' ')[0]);
        Assert.True(passed >= 12, $"expected the float cases and at least one int8 kernel's, got {passed}");
    }
}
