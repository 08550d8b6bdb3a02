namespace BioXBridge.Evaluation;

/// <summary>
/// Moré–Thuente line search (MINPACK-2 dcsrch/dcstep), the one L-BFGS-B uses: finds a step satisfying the
/// strong Wolfe conditions f(α) ≤ f(0) + ftol·α·f'(0) and |f'(α)| ≤ gtol·|f'(0)| by safeguarded cubic and
/// quadratic interpolation. A warning exit (rounding, xtol) is accepted as L-BFGS-B does.
/// </summary>
internal sealed class MoreThuente
{
    private const double Ftol = 1e-3, Gtol = 0.9, Xtol = 0.1;
    private const double XtrapL = 1.1, XtrapU = 4.0;
    private bool _brackt;
    private int _stage;
    private double _finit, _ginit, _gtest, _width, _width1;
    private double _stx, _fx, _gx, _sty, _fy, _gy, _stmin, _stmax, _stpMin, _stpMax;

    public double Step { get; private set; }

    public void Start(double f0, double g0, double stp, double stpMin, double stpMax)
    {
        Step = Math.Clamp(stp, stpMin, stpMax);
        _stpMin = stpMin; _stpMax = stpMax;
        _brackt = false; _stage = 1;
        _finit = f0; _ginit = g0; _gtest = Ftol * g0;
        _width = stpMax - stpMin; _width1 = _width / 0.5;
        _stx = 0; _fx = f0; _gx = g0;
        _sty = 0; _fy = f0; _gy = g0;
        _stmin = 0; _stmax = Step + XtrapU * Step;
    }

    /// <summary>A non-finite trial: halve back towards the best step so far.</summary>
    public void Shrink()
    {
        _stmax = Step;
        Step = _stx + 0.5 * (Step - _stx);
    }

    /// <summary>Feeds f and f' at <see cref="Step"/>; true = accept, false = evaluate at the new Step.</summary>
    public bool Next(double f, double g)
    {
        double stp = Step;
        double ftest = _finit + stp * _gtest;
        if (_stage == 1 && f <= ftest && g >= 0) _stage = 2;

        if (_brackt && (stp <= _stmin || stp >= _stmax)) return true;          // rounding errors
        if (_brackt && _stmax - _stmin <= Xtol * _stmax) return true;          // interval too small
        if (stp == _stpMax && f <= ftest && g <= _gtest) return true;
        if (stp == _stpMin && (f > ftest || g >= _gtest)) return true;
        if (f <= ftest && Math.Abs(g) <= Gtol * -_ginit) return true;          // strong Wolfe

        if (_stage == 1 && f <= _fx && f > ftest)
        {
            // Modified function ψ(α) = f(α) − f(0) − ftol·α·f'(0) until a step with ψ ≤ 0 and f' ≥ 0 appears.
            double fm = f - stp * _gtest, fxm = _fx - _stx * _gtest, fym = _fy - _sty * _gtest;
            double gm = g - _gtest, gxm = _gx - _gtest, gym = _gy - _gtest;
            Dcstep(ref _stx, ref fxm, ref gxm, ref _sty, ref fym, ref gym, ref stp, fm, gm, ref _brackt, _stmin, _stmax);
            _fx = fxm + _stx * _gtest; _fy = fym + _sty * _gtest;
            _gx = gxm + _gtest; _gy = gym + _gtest;
        }
        else
        {
            Dcstep(ref _stx, ref _fx, ref _gx, ref _sty, ref _fy, ref _gy, ref stp, f, g, ref _brackt, _stmin, _stmax);
        }

        if (_brackt)
        {
            if (Math.Abs(_sty - _stx) >= 0.66 * _width1) stp = _stx + 0.5 * (_sty - _stx);
            _width1 = _width;
            _width = Math.Abs(_sty - _stx);
            _stmin = Math.Min(_stx, _sty);
            _stmax = Math.Max(_stx, _sty);
        }
        else
        {
            _stmin = stp + XtrapL * (stp - _stx);
            _stmax = stp + XtrapU * (stp - _stx);
        }
        stp = Math.Min(Math.Max(stp, _stpMin), _stpMax);
        if (_brackt && (stp <= _stmin || stp >= _stmax || _stmax - _stmin <= Xtol * _stmax)) stp = _stx;
        Step = stp;
        return false;
    }

    private static void Dcstep(ref double stx, ref double fx, ref double dx, ref double sty, ref double fy,
        ref double dy, ref double stp, double fp, double dp, ref bool brackt, double stpmin, double stpmax)
    {
        double sgnd = dp * Math.Sign(dx);
        double stpf;
        if (fp > fx)
        {
            // Higher function value: the minimum is bracketed; take the cubic step unless it is too far.
            double theta = 3 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Max3(Math.Abs(theta), Math.Abs(dx), Math.Abs(dp));
            double gamma = s * Math.Sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
            if (stp < stx) gamma = -gamma;
            double p = (gamma - dx) + theta, q = ((gamma - dx) + gamma) + dp;
            double stpc = stx + p / q * (stp - stx);
            double stpq = stx + dx / ((fx - fp) / (stp - stx) + dx) / 2 * (stp - stx);
            stpf = Math.Abs(stpc - stx) < Math.Abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
            brackt = true;
        }
        else if (sgnd < 0)
        {
            // Derivatives of opposite sign: bracketed; take the step farther from stp (cubic vs secant).
            double theta = 3 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Max3(Math.Abs(theta), Math.Abs(dx), Math.Abs(dp));
            double gamma = s * Math.Sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
            if (stp > stx) gamma = -gamma;
            double p = (gamma - dp) + theta, q = ((gamma - dp) + gamma) + dx;
            double stpc = stp + p / q * (stx - stp);
            double stpq = stp + dp / (dp - dx) * (stx - stp);
            stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
            brackt = true;
        }
        else if (Math.Abs(dp) < Math.Abs(dx))
        {
            // Same sign, derivative magnitude decreasing: the cubic may not have a minimiser beyond stp.
            double theta = 3 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Max3(Math.Abs(theta), Math.Abs(dx), Math.Abs(dp));
            double gamma = s * Math.Sqrt(Math.Max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
            if (stp > stx) gamma = -gamma;
            double p = (gamma - dp) + theta, q = (gamma + (dx - dp)) + gamma, r = p / q;
            double stpc = r < 0 && gamma != 0 ? stp + r * (stx - stp) : stp > stx ? stpmax : stpmin;
            double stpq = stp + dp / (dp - dx) * (stx - stp);
            if (brackt)
            {
                stpf = Math.Abs(stpc - stp) < Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = stp > stx ? Math.Min(stp + 0.66 * (sty - stp), stpf) : Math.Max(stp + 0.66 * (sty - stp), stpf);
            }
            else
            {
                stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = Math.Max(stpmin, Math.Min(stpmax, stpf));
            }
        }
        else
        {
            // Same sign, derivative not decreasing: step to the far end or the cubic minimiser within the bracket.
            if (brackt)
            {
                double theta = 3 * (fp - fy) / (sty - stp) + dy + dp;
                double s = Max3(Math.Abs(theta), Math.Abs(dy), Math.Abs(dp));
                double gamma = s * Math.Sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
                if (stp > sty) gamma = -gamma;
                double p = (gamma - dp) + theta, q = ((gamma - dp) + gamma) + dy;
                stpf = stp + p / q * (sty - stp);
            }
            else stpf = stp > stx ? stpmax : stpmin;
        }

        if (fp > fx) { sty = stp; fy = fp; dy = dp; }
        else
        {
            if (sgnd < 0) { sty = stx; fy = fx; dy = dx; }
            stx = stp; fx = fp; dx = dp;
        }
        stp = stpf;
    }

    private static double Max3(double a, double b, double c) => Math.Max(a, Math.Max(b, c));
}
