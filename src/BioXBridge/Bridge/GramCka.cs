using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>
/// Linear CKA through n×n centred Gram matrices, for flattened block activations whose width (tokens·d, up to
/// hundreds of thousands) rules out the feature form and the double[][] copies of <see cref="Evaluation.LinearCka"/>.
/// Same value as the release's <c>cka(gram_linear(X), gram_linear(Y))</c>.
/// </summary>
public static class GramCka
{
    /// <summary>
    /// HKH for K = XXᵀ of the rows of <paramref name="rows"/> (n, F), in float64. Built from column chunks, each
    /// centred on its own (centring is per column), so beyond the input only n×n + n×<paramref name="chunk"/>
    /// doubles are alive. A column whose values are all equal contributes exact zeros (no rounding noise).
    /// </summary>
    public static Tensor CentredGram(Tensor rows, int chunk = 4096)
    {
        if (rows.dim() != 2) throw new ArgumentException($"rows must be (samples, features), got shape [{string.Join(", ", rows.shape)}]", nameof(rows));
        long n = rows.shape[0], width = rows.shape[1];
        if (n < 2) throw new ArgumentException($"CKA needs at least 2 samples, got {n}", nameof(rows));
        var gram = zeros(n, n, ScalarType.Float64);
        for (long start = 0; start < width; start += chunk)
        {
            using var scope = NewDisposeScope();
            var c = rows.narrow(1, start, Math.Min(chunk, width - start)).to_type(ScalarType.Float64);
            if (!c.isfinite().all().item<bool>()) throw new ArgumentException("rows hold non-finite values", nameof(rows));
            var constant = c.amax([0]).eq(c.amin([0]));
            c = (c - c.mean([0], keepdim: true)).masked_fill(constant.unsqueeze(0), 0.0);
            gram.add_(c.matmul(c.t()));
        }
        return gram;
    }

    /// <summary>⟨Kc, Lc⟩_F / (‖Kc‖_F ‖Lc‖_F) of two centred Grams; 0 when a side has no variance (ranked last, never NaN).</summary>
    public static double FromCentredGrams(Tensor kc, Tensor lc)
    {
        if (!kc.shape.SequenceEqual(lc.shape))
            throw new ArgumentException($"Gram shapes differ: [{string.Join(", ", kc.shape)}] vs [{string.Join(", ", lc.shape)}]; CKA needs the same samples");
        using var scope = NewDisposeScope();
        double cross = (kc * lc).sum().item<double>();
        double nk = kc.square().sum().item<double>(), nl = lc.square().sum().item<double>();
        if (nk == 0 || nl == 0) return 0.0;
        return Math.Min(cross / (Math.Sqrt(nk) * Math.Sqrt(nl)), 1.0);
    }
}
