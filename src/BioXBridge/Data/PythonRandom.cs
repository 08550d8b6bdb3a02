namespace BioXBridge.Data;

/// <summary>
/// CPython's <c>random</c> module, bit for bit, for the two calls the release's preprocessing makes:
/// <c>random.seed(n)</c> with an integer and <c>random.shuffle(list)</c>. The release splits FOG windows and ISRUC
/// subjects with exactly these (seed 6), so reproducing its split needs this generator, not <see cref="Random"/>.
/// <list type="bullet">
/// <item>seed(n): MT19937 <c>init_by_array</c> with the 32-bit words of |n|, least significant first ([0] for 0);</item>
/// <item>getrandbits(k), k ≤ 32: the next tempered 32-bit output shifted right by 32 − k;</item>
/// <item>shuffle: for i = len−1 down to 1, j = randbelow(i + 1) (k = bit length of i + 1, draw getrandbits(k) until it is
/// below i + 1), swap x[i] and x[j]. This is the algorithm of every CPython 3 since 3.2.</item>
/// </list>
/// Checked against <c>/usr/bin/python3</c> in <c>PythonRandomTests</c> (fixture from tools/golden/release_split_golden.py).
/// </summary>
public sealed class PythonRandom
{
    const int N = 624, M = 397;
    readonly uint[] mt = new uint[N];
    int index = N + 1;

    public PythonRandom(long seed)
    {
        ulong n = seed < 0 ? (ulong)(-(seed + 1)) + 1 : (ulong)seed;   // abs without overflow at long.MinValue
        uint[] key = n >> 32 != 0 ? [(uint)n, (uint)(n >> 32)] : [(uint)n];
        InitByArray(key);
    }

    void InitGenrand(uint s)
    {
        mt[0] = s;
        for (int i = 1; i < N; i++) mt[i] = 1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint)i;
        index = N;
    }

    void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++; j++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
        }
        mt[0] = 0x80000000u;
    }

    /// <summary>The next raw 32-bit output (<c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (index >= N)
        {
            for (int k = 0; k < N; k++)
            {
                uint y = (mt[k] & 0x80000000u) | (mt[(k + 1) % N] & 0x7fffffffu);
                mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0u);
            }
            index = 0;
        }
        uint v = mt[index++];
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        return v;
    }

    /// <summary><c>random.getrandbits(k)</c> for 1 ≤ k ≤ 32.</summary>
    public uint GetRandBits(int k)
    {
        if (k < 1 || k > 32) throw new ArgumentOutOfRangeException(nameof(k), k, "getrandbits is implemented for 1..32 bits");
        return NextUInt32() >> (32 - k);
    }

    /// <summary><c>random._randbelow(n)</c>: uniform in [0, n) by rejection on <c>n.bit_length()</c> bits.</summary>
    public int Below(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "randbelow needs n ≥ 1");
        int k = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        uint r = GetRandBits(k);
        while (r >= (uint)n) r = GetRandBits(k);
        return (int)r;
    }

    /// <summary><c>random.shuffle(items)</c> in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
