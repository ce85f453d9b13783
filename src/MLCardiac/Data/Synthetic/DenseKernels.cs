using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLCardiac.Data.Synthetic;

/// <summary>Small dense float kernels for the renderer's hot loops (register-blocked, vectorised, no allocation).</summary>
internal static class DenseKernels
{
    /// <summary>
    /// output[m×n] += left[m×k] · right[k×n]; row-major with the given row strides (in elements).
    /// Four output rows × two vectors are accumulated in registers, so each loaded value of <paramref name="right"/>
    /// feeds four multiply–adds.
    /// </summary>
    public static void MultiplyAdd(ReadOnlySpan<float> left, int leftStride, ReadOnlySpan<float> right, int rightStride,
        Span<float> output, int outputStride, int m, int k, int n)
    {
        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }
        if (left.Length < ((m - 1) * leftStride) + k || right.Length < ((k - 1) * rightStride) + n || output.Length < ((m - 1) * outputStride) + n)
        {
            throw new ArgumentException("A matrix does not fit its span.", nameof(left));
        }
        ref float l = ref MemoryMarshal.GetReference(left);
        ref float r = ref MemoryMarshal.GetReference(right);
        ref float o = ref MemoryMarshal.GetReference(output);
        int vc = Vector<float>.Count;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float l0 = ref Unsafe.Add(ref l, i * leftStride);
            ref float l1 = ref Unsafe.Add(ref l0, leftStride);
            ref float l2 = ref Unsafe.Add(ref l1, leftStride);
            ref float l3 = ref Unsafe.Add(ref l2, leftStride);
            ref float o0 = ref Unsafe.Add(ref o, i * outputStride);
            ref float o1 = ref Unsafe.Add(ref o0, outputStride);
            ref float o2 = ref Unsafe.Add(ref o1, outputStride);
            ref float o3 = ref Unsafe.Add(ref o2, outputStride);
            int j = 0;
            for (; j + (2 * vc) <= n; j += 2 * vc)
            {
                var a0 = Vector.LoadUnsafe(ref o0, (nuint)j); var b0 = Vector.LoadUnsafe(ref o0, (nuint)(j + vc));
                var a1 = Vector.LoadUnsafe(ref o1, (nuint)j); var b1 = Vector.LoadUnsafe(ref o1, (nuint)(j + vc));
                var a2 = Vector.LoadUnsafe(ref o2, (nuint)j); var b2 = Vector.LoadUnsafe(ref o2, (nuint)(j + vc));
                var a3 = Vector.LoadUnsafe(ref o3, (nuint)j); var b3 = Vector.LoadUnsafe(ref o3, (nuint)(j + vc));
                for (int p = 0; p < k; p++)
                {
                    ref float rp = ref Unsafe.Add(ref r, (p * rightStride) + j);
                    var x = Vector.LoadUnsafe(ref rp);
                    var y = Vector.LoadUnsafe(ref rp, (nuint)vc);
                    var s0 = new Vector<float>(Unsafe.Add(ref l0, p));
                    var s1 = new Vector<float>(Unsafe.Add(ref l1, p));
                    var s2 = new Vector<float>(Unsafe.Add(ref l2, p));
                    var s3 = new Vector<float>(Unsafe.Add(ref l3, p));
                    a0 += s0 * x; b0 += s0 * y;
                    a1 += s1 * x; b1 += s1 * y;
                    a2 += s2 * x; b2 += s2 * y;
                    a3 += s3 * x; b3 += s3 * y;
                }
                a0.StoreUnsafe(ref o0, (nuint)j); b0.StoreUnsafe(ref o0, (nuint)(j + vc));
                a1.StoreUnsafe(ref o1, (nuint)j); b1.StoreUnsafe(ref o1, (nuint)(j + vc));
                a2.StoreUnsafe(ref o2, (nuint)j); b2.StoreUnsafe(ref o2, (nuint)(j + vc));
                a3.StoreUnsafe(ref o3, (nuint)j); b3.StoreUnsafe(ref o3, (nuint)(j + vc));
            }
            for (; j < n; j++)
            {
                float c0 = Unsafe.Add(ref o0, j), c1 = Unsafe.Add(ref o1, j), c2 = Unsafe.Add(ref o2, j), c3 = Unsafe.Add(ref o3, j);
                for (int p = 0; p < k; p++)
                {
                    float x = Unsafe.Add(ref r, (p * rightStride) + j);
                    c0 += Unsafe.Add(ref l0, p) * x;
                    c1 += Unsafe.Add(ref l1, p) * x;
                    c2 += Unsafe.Add(ref l2, p) * x;
                    c3 += Unsafe.Add(ref l3, p) * x;
                }
                Unsafe.Add(ref o0, j) = c0; Unsafe.Add(ref o1, j) = c1; Unsafe.Add(ref o2, j) = c2; Unsafe.Add(ref o3, j) = c3;
            }
        }
        for (; i < m; i++)
        {
            ref float li = ref Unsafe.Add(ref l, i * leftStride);
            Span<float> oi = output.Slice(i * outputStride, n);
            for (int p = 0; p < k; p++)
            {
                float a = Unsafe.Add(ref li, p);
                if (a != 0)
                {
                    KSpaceTruncation.Axpy(a, right.Slice(p * rightStride, n), oi);
                }
            }
        }
    }
}
