using BioXBridge.Bridge;
using BioXBridge.Data;
using BioXBridge.Experiments;
using BioXBridge.Reports;
using Deedle;

namespace BioXBridge.Interactive;

/// <summary>
/// Every table of results as a Deedle frame (rendered by <see cref="FrameHtml"/> in notebooks). Metrics are in %, rounded
/// to two decimals as Table 1 prints them; a <c>Data</c> column says SYNTHETIC or real on every row that holds a result.
/// </summary>
public static class ResultFrames
{
    static double Pct(double v) => Math.Round(100 * v, 2);
    static string Data(bool synthetic) => synthetic ? "SYNTHETIC" : "real";
    static string Data(RunRecord r) => Data(r.Synthetic) + (r.SplitUnit == "window" ? ", WINDOW-LEVEL split (subject leakage)" : "");

    /// <summary>Windows and class counts per split, with the subjects in it.</summary>
    public static Frame<int, string> Splits(SplitData data)
    {
        var classes = data.Train.ClassNames;
        var frame = Frame.FromRecords(data.Named().Select(s => new
        {
            Split = s.Name, Subjects = string.Join(" ", s.Data.Subjects.Distinct()), Windows = s.Data.Count,
        }));
        for (int c = 0; c < classes.Count; c++)
        {
            int label = c;
            frame.AddColumn(classes[c], data.Named().Select(s => s.Data.Labels.Count(y => y == label)).ToOrdinalSeries());
        }
        return frame;
    }

    /// <summary>One row per method in Table 1's order: test input, trainable parameters, the paper's three metrics and kappa.</summary>
    public static Frame<int, string> Methods(RunRecord r) =>
        Frame.FromRecords(RunCharts.MethodOrder.Where(r.Methods.ContainsKey).Select(k => (Key: k, M: r.Methods[k])).Select(m => new
        {
            Method = m.Key, Input = m.M.Input, Data = Data(r),
            TrainableParameters = m.M.TrainableParameters?.ToString("N0") ?? "–",
            BalancedAccuracy = Pct(m.M.Metrics.BalancedAccuracy), F1Macro = Pct(m.M.Metrics.F1Macro),
            F1Weighted = Pct(m.M.Metrics.F1Weighted), Kappa = Math.Round(m.M.Metrics.Kappa, 3), Seconds = Math.Round(m.M.Seconds, 1),
        }));

    /// <summary>Table 1 for the run's direction: the paper's real-data means (five seeds) and this run, side by side.</summary>
    public static Frame<int, string> Table1(RunRecord r)
    {
        var paper = PaperComparison.For(r);
        return Frame.FromRecords(PaperComparison.Methods.Select(m => (m.Key, m.Paper, P: paper.FirstOrDefault(p => p.Method == m.Paper),
                                                                      Ours: r.Methods.GetValueOrDefault(m.Key)))
            .Where(m => m.P is not null || m.Ours is not null).Select(m => new
            {
                Method = m.Paper,
                PaperBAcc = m.P?.BalancedAccuracy, PaperF1Macro = m.P?.F1Macro, PaperF1Weighted = m.P?.F1Weighted, PaperParams = m.P?.Parameters ?? "–",
                Run = Data(r) + " " + r.Dataset,
                RunBAcc = m.Ours is null ? (double?)null : Pct(m.Ours.Metrics.BalancedAccuracy),
                RunF1Macro = m.Ours is null ? (double?)null : Pct(m.Ours.Metrics.F1Macro),
                RunF1Weighted = m.Ours is null ? (double?)null : Pct(m.Ours.Metrics.F1Weighted),
                RunParams = m.Ours?.TrainableParameters?.ToString("N0") ?? "–",
            }));
    }

    /// <summary>Stage-1 probe score per new block (m = 1..M) and stage-2 CKA per old block (l = 0..L−1), the chosen ones marked.</summary>
    public static Frame<int, string> Positions(PositionScores p) =>
        Frame.FromRecords(p.Stage1.Select((s, i) => new { Stage = "1: probe on new block output", Position = $"m = {i + 1}", Score = Math.Round(s, 4), Chosen = i + 1 == p.Input ? "◀" : "" })
            .Concat(p.Stage2.Select((s, i) => new { Stage = "2: CKA with old block input", Position = $"l = {i}", Score = Math.Round(s, 4), Chosen = i == p.Output ? "◀" : "" })));

    /// <summary>Every ablation point, one row per trained bridge and seed.</summary>
    public static Frame<int, string> Ablations(AblationRecord a) =>
        Frame.FromRecords(a.Points.Select(p => new
        {
            p.Sweep, Rank = p.Rank, Prototypes = p.Prototypes, PairFraction = p.PairFraction, M = p.InputPosition, L = p.OutputPosition,
            p.Seed, Parameters = p.TrainableParameters, p.PairWindows, BalancedAccuracy = Pct(p.Metrics.BalancedAccuracy),
            F1Macro = Pct(p.Metrics.F1Macro), Data = Data(a.Synthetic),
        }));

    /// <summary>One sweep, mean and sample sd over seeds per value, with the bridge's trainable parameters.</summary>
    public static Frame<int, string> Sweep(AblationRecord a, string sweep) =>
        Frame.FromRecords(AblationCharts.Summary(a, sweep).Select(s => new
        {
            Value = s.Value, Parameters = s.Parameters, s.PairWindows, Seeds = s.Seeds,
            BalancedAccuracy = Pct(s.BalancedAccuracy), Sd = Pct(s.Sd), Data = Data(a.Synthetic),
        }));

    /// <summary>The 3×3 fixed-position grid: rows new position m, columns old position l, balanced accuracy in %.</summary>
    public static Frame<string, string> PositionGrid(AblationRecord a)
    {
        var (ms, ls, z) = AblationCharts.Grid(a);
        var columns = ls.Select((l, j) => KeyValuePair.Create($"l = {l}",
            new Series<string, double>(ms.Select(m => $"m = {m}"), ms.Select((_, i) => Math.Round(z[i][j], 2)))));
        return Frame.FromColumns(columns);
    }
}
