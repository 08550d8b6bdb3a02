namespace BioXBridge.Baselines;

/// <summary>
/// The paper's Random row: uniform random predictions. Its expected balanced accuracy is 1/K whatever the class
/// balance, so it doubles as a check that a reproduced test split has the stated class proportions.
/// </summary>
public static class RandomGuess
{
    public static int[] Predict(int count, int classes, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(classes)).ToArray();
    }
}
