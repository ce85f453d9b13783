using MLCardiac.Numerics;

namespace MLCardiac.Tests.Numerics;

[TestClass]
public sealed class OneDnnGuardTests
{
    [TestMethod]
    public void Initialize_AmdWithAvx512_OneDnnRunsCapped()
    {
        // Set by the library's module initializer before any libtorch call; a value the caller set is kept as it is.
        Assert.AreEqual(OneDnnGuard.Effective, Environment.GetEnvironmentVariable(OneDnnGuard.Variable));
        if (OneDnnGuard.IsAmdWithAvx512())
            Assert.IsNotNull(OneDnnGuard.Effective, "on AMD with AVX-512, oneDNN must not choose its AVX-512 kernels by itself (wrong convolutions on Zen 5)");
        else if (Environment.GetEnvironmentVariable(OneDnnGuard.Variable) is null)
            Assert.IsNull(OneDnnGuard.Effective, "elsewhere oneDNN chooses its kernels");
    }
}
