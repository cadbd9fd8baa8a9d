#!/usr/bin/env python3
"""Soko market-price forecasting: rolling-origin backtest of the final method, baselines and candidates.

Data  : WFP Uganda food prices (UGX/KG, monthly, dated the 15th): by default the repository's trimmed copy
        data/wfp/wfp_uganda_prices.csv; WFP_CSV=<path> reads a full HDX export (wfp_food_prices_uga.csv), as
        the logged run did. The trimmed copy keeps only actual prices of the series used here.
Series: (market, crop, pricetype) for markets Owino, Gulu, Mbarara, Mbale, Lira, Masaka and crops
        maize_grain <- "Maize (white)" (+ older "Maize" only before the first white observation),
        yellow_beans <- Beans, matoke <- Plantains, sorghum <- Sorghum, millet <- Millet; >= 36 observations.
Eval  : for every series, each of its last 24 observed months is an origin t; every model sees data <= t only,
        forecasts t+1..t+3 (calendar months); APE scored against the raw actual where one exists.
        MAPE per horizon; "avg" = mean of the three per-horizon MAPEs; ratios are model / naive.

Final method ("FINAL"), everything computed from data <= origin:
  1. causal outlier cleaning (log scale): x_m is replaced by the median of the previous 12 raw observations
     (needs >= 6) if |log x_m - median| > max(log 3, 5 * 1.4826 * MAD). Used for modelling only.
  2. POOL: pooled ridge regression, one per horizon h, refitted at each origin month T on ALL past samples (i, s)
     of all 31 series (expanding window, s observed, >= 12 months of history, s + h <= T); target = clean log change s -> s+h (clipped +-0.5); features (all computed from data <= s):
     own last 3 one-month log changes, relative-price deviation (log gap to the mean of the other target markets
     of the same crop & pricetype, minus its own trailing-36-month mean) plus its crop interactions, mean
     one-month change of those peer markets, Owino's one-month change (0 for Owino), gap of the price to its own
     trailing-36-month mean, crop x 2-harmonic month-of-year terms, northern-market (Gulu, Lira) harmonics,
     and the series' own expected seasonal log change month(t)->month(t+h) estimated on its past (plus crop
     interactions). Features standardised on the training rows; penalty lam * n_train * ||b||^2 with lam = 1
     (no intercept penalty); < 100 training rows -> no change predicted.
  3. ENS = mean(POOL, SEASONAL-NAIVE) in log space (seasonal naive = clean last value adjusted by
     multiplicative month factors estimated on the past, shrunk by 0.5; factor = median by calendar month of the
     log deviation from a centred 2x12 moving average computed inside the history; needs >= 48 months).
  4. FINAL = ENS, unless (per series, per origin T) one of {naive, SES, seasonal naive, Prophet, POOL} had an
     inner-backtest MAPE at least 30% lower than ENS's (inner origins s in [T-36, T), targets s+h <= T, >= 60 scored
     points, series history >= 36 observations); then that candidate is used. (Prophet is fitted only at the
     evaluation origins and the 12 origins before them, so its inner MAPE uses at most those - to bound run time.)
  Also reported: BLEND = clean_last + w_h * (ENS - clean_last), w_h in {0, .25, ..., 1.5} chosen at each origin
  month by a pooled inner backtest over all series (origins in [T-36, T-h]); it did not beat ENS on the dev window.

Run: python backtest.py [--dev] [--prophet-raw] [--procs 2]
"""
import argparse
import logging
import os
import time
import warnings
from multiprocessing import Pool

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
DATA = os.environ.get(
    "WFP_CSV", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "wfp", "wfp_uganda_prices.csv")
)
MARKETS = ["Owino", "Gulu", "Mbarara", "Mbale", "Lira", "Masaka"]
CROPMAP = {"Maize": "maize_grain", "Maize (white)": "maize_grain", "Beans": "yellow_beans",
           "Plantains": "matoke", "Sorghum": "sorghum", "Millet": "millet"}
NORTH = ("Gulu", "Lira")
H = 3                 # horizons 1..3 months
N_ORIG = 24           # outer origins per series
MIN_OBS = 36          # series needs >= 36 observations
MIN_HIST = 12         # a model is only run at an origin with >= 12 months since the series' first observation
W_INNER = 36          # inner-backtest window (months) for blend weight and per-series override
BLEND_GRID = np.arange(0, 1.501, 0.25)
OVERRIDE_MARGIN, OVERRIDE_MINPTS, OVERRIDE_MINHIST = 0.30, 60, 36
PROPHET_INNER = 12    # Prophet is fitted at the eval origins + the 12 origins before (limits its inner-selection use)
RIDGE_LAM, TARGET_CLIP = 1.0, 0.5

# ----------------------------------------------------------------------------------------------------------
# 1. data
# ----------------------------------------------------------------------------------------------------------
def load_panel():
    df = pd.read_csv(DATA, parse_dates=["date"])
    if "price_ugx_per_kg" in df:  # the repository's trimmed copy: already UGX per kg
        df = df.rename(columns={"price_ugx_per_kg": "price"}).assign(unit="KG")
    df = df[df.commodity.isin(CROPMAP) & (df.unit == "KG") & df.market.isin(MARKETS)]
    df = df.assign(crop=df.commodity.map(CROPMAP))
    start = df.date.min().to_period("M")
    end = df.date.max().to_period("M") + H
    months = pd.period_range(start, end, freq="M")
    keys, L = [], []
    for (m, c, pt), g in df.groupby(["market", "crop", "pricetype"]):
        if c == "maize_grain":
            w = g[g.commodity == "Maize (white)"].set_index("date").price.sort_index()
            o = g[g.commodity == "Maize"].set_index("date").price.sort_index()
            s = pd.concat([o[o.index < w.index.min()], w]) if len(w) else o
        else:
            s = g.set_index("date").price.sort_index()
        if len(s) < MIN_OBS:
            continue
        s.index = s.index.to_period("M")
        keys.append((m, c, pt))
        L.append(np.log(s.reindex(months).values.astype(float)))
    return keys, np.array(L), months


def clean_causal(l, win=12, minobs=6, thr=np.log(3.0), kmad=5.0):
    """x_m flagged iff it deviates from the median of the previous `win` RAW observations by more than
    max(thr, kmad*MAD). Only past values enter, so the cleaned value at m is known at m."""
    c, flag = l.copy(), np.zeros(len(l), bool)
    idx = np.where(~np.isnan(l))[0]
    for j, m in enumerate(idx):
        w = l[idx[max(0, j - win):j]]
        if len(w) < minobs:
            continue
        med = np.median(w)
        mad = 1.4826 * np.median(np.abs(w - med))
        if abs(l[m] - med) > max(thr, kmad * mad):
            c[m], flag[m] = med, True
    return c, flag


def ffill(a, limit=None):
    out, last = a.copy(), -10**9
    for t in range(len(a)):
        if not np.isnan(a[t]):
            last = t
        elif last >= 0 and (limit is None or t - last <= limit):
            out[t] = a[last]
    return out


def trailing_mean(a, w, minn):
    out = np.full(len(a), np.nan)
    for t in range(len(a)):
        seg = a[max(0, t - w + 1):t + 1]
        seg = seg[~np.isnan(seg)]
        if len(seg) >= minn:
            out[t] = seg.mean()
    return out


# ----------------------------------------------------------------------------------------------------------
# 2. local (per-series) candidates; y = clean, forward-filled log history up to the origin
# ----------------------------------------------------------------------------------------------------------
def ses_run(y, a):
    l, e = y[0], 0.0
    for v in y[1:]:
        e += (v - l) ** 2
        l += a * (v - l)
    return l, e


def ses_opt(y):
    best = min((ses_run(y, a)[1], a) for a in np.arange(0.1, 1.001, 0.1))[1]
    return ses_run(y, best)[0], best


def damped(y):
    best = None
    for a in (0.3, 0.6, 0.9):
        for b in (0.05, 0.2):
            for p in (0.8, 0.9):
                k = min(3, len(y) - 1)
                l, t, e = y[0], (y[k] - y[0]) / k, 0.0
                for v in y[1:]:
                    e += (v - (l + p * t)) ** 2
                    ln = a * v + (1 - a) * (l + p * t)
                    t = b * (ln - l) + (1 - b) * p * t
                    l = ln
                if best is None or e < best[0]:
                    best = (e, l, t, p)
    _, l, t, p = best
    return np.array([l + t * sum(p ** k for k in range(1, h + 1)) for h in range(1, H + 1)])


def theta(y):
    n = len(y)
    b = np.polyfit(np.arange(n), y, 1)[0]
    lvl, a = ses_opt(y)
    return np.array([lvl + 0.5 * b * (h - 1 + 1 / a - (1 - a) ** n / a) for h in range(1, H + 1)])


def season_factors(y, mo, shrink=0.5, minyears=3):
    """log month factors: median deviation from the centred 2x12 MA, which lies inside the history."""
    if len(y) < 12 * minyears + 12:
        return np.zeros(12)
    ma = np.convolve(y, np.r_[0.5, np.ones(11), 0.5] / 12, mode="valid")
    d, mm = y[6:6 + len(ma)] - ma, mo[6:6 + len(ma)]
    f = np.array([np.median(d[mm == k]) if (mm == k).sum() >= minyears else 0.0 for k in range(12)])
    return shrink * (f - f.mean())


# ----------------------------------------------------------------------------------------------------------
# 3. Prophet (default settings on log prices; uncertainty_samples=0 only skips the interval simulation)
# ----------------------------------------------------------------------------------------------------------
_PJ = {}


def _prophet_job(args):
    i, m, which = args
    logging.getLogger("cmdstanpy").setLevel(logging.ERROR)
    logging.getLogger("prophet").setLevel(logging.ERROR)
    from prophet import Prophet
    arr = _PJ["C"][i] if which == "clean" else _PJ["L"][i]
    idx = np.where(~np.isnan(arr[:m + 1]))[0]
    ds = _PJ["ds"]
    mdl = Prophet(uncertainty_samples=0)
    mdl.fit(pd.DataFrame({"ds": ds[idx], "y": arr[idx]}))
    return (i, m, which), mdl.predict(pd.DataFrame({"ds": ds[m + 1:m + H + 1]}))["yhat"].values


# ----------------------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", action="store_true", help="also score the 24 origins before the test origins")
    ap.add_argument("--prophet-raw", action="store_true", help="also Prophet on raw (uncleaned) log prices")
    ap.add_argument("--prophet-cache", default=None, help="optional pickle to reuse Prophet fits between runs")
    ap.add_argument("--dump", default=None, help="optional pickle of all forecasts (for further analysis)")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    t_start = time.time()
    logging.getLogger("cmdstanpy").setLevel(logging.ERROR)

    keys, L, months = load_panel()
    n, NM = L.shape
    ds = months.to_timestamp() + pd.Timedelta(days=14)          # the 15th, as in the data
    mo0 = np.array([p.month - 1 for p in months])
    obs = ~np.isnan(L)
    C, FLAG = np.full_like(L, np.nan), np.zeros(L.shape, bool)
    for i in range(n):
        C[i], FLAG[i] = clean_causal(L[i])
    Cf = np.array([ffill(c) for c in C])                          # causal forward fill
    Cl = np.array([ffill(c, limit=2) for c in C])                 # "live" value (observed within 2 months)
    first = np.array([np.where(obs[i])[0][0] for i in range(n)])
    nobs_upto = np.cumsum(obs, axis=1)
    crops = sorted(set(k[1] for k in keys))
    ci = np.array([crops.index(k[1]) for k in keys])

    outer = {i: np.where(obs[i])[0][-N_ORIG:] for i in range(n)}
    dev = {i: np.where(obs[i])[0][-2 * N_ORIG:-N_ORIG] for i in range(n)}
    eval_sets = {"test": outer} | ({"dev": dev} if args.dev else {})
    first_eval = {i: min(v[i][0] for v in eval_sets.values()) for i in range(n)}
    # origins at which forecasts are needed: eval origins + 2 inner windows back (override needs BLEND there,
    # BLEND needs ENS one more window back)
    # every origin with >= 12 months of history (so that the pooled inner backtest of the blend weight always
    # sees all series, independent of which origins are being evaluated)
    need = {i: [m for m in np.where(obs[i])[0] if m - first[i] >= MIN_HIST] for i in range(n)}
    need_prophet = {i: [m for m in need[i] if m >= first_eval[i] - PROPHET_INNER] for i in range(n)}
    print(f"{n} series; outer origins {sum(len(v) for v in outer.values())}")

    FC = {k: {} for k in ["naive", "snaive", "ses", "naive_ses", "damped", "theta", "seas_naive", "seas_ses",
                          "prophet", "pool", "ens", "blend", "final", "clean_last"]}
    # ---------------- local candidates
    t0 = time.time()
    for i in range(n):
        for m in need[i]:
            y = Cf[i, first[i]:m + 1]
            FC["naive"][(i, m)] = np.repeat(L[i, m], H)
            FC["clean_last"][(i, m)] = np.repeat(C[i, m], H)
            FC["snaive"][(i, m)] = np.array([L[i, m + h - 12] if obs[i, m + h - 12] else L[i, m] for h in range(1, H + 1)])
            lvl, _ = ses_opt(y)
            FC["ses"][(i, m)] = np.repeat(lvl, H)
            FC["naive_ses"][(i, m)] = np.repeat(0.5 * (lvl + C[i, m]), H)
            FC["damped"][(i, m)] = damped(y)
            FC["theta"][(i, m)] = theta(y)
            sf = season_factors(y, mo0[first[i]:m + 1])
            tm = [(mo0[m] + h) % 12 for h in range(1, H + 1)]
            FC["seas_naive"][(i, m)] = C[i, m] - sf[mo0[m]] + sf[tm]
            FC["seas_ses"][(i, m)] = ses_opt(y - sf[mo0[first[i]:m + 1]])[0] + sf[tm]
    t_local = time.time() - t0

    # ---------------- pooled ridge: features (each uses data <= s only)
    t0 = time.time()
    grp = {}
    for i, k in enumerate(keys):
        grp.setdefault((k[1], k[2]), []).append(i)
    mon = np.array([p.month for p in months])
    harm = np.column_stack([f(2 * np.pi * q * mon / 12) for q in (1, 2) for f in (np.sin, np.cos)])
    SFE = np.zeros((H, n, NM))                       # own expected seasonal log change, factors from data <= s
    for i in range(n):
        for s in range(first[i] + 48, NM):
            if obs[i, s]:
                sf = season_factors(Cf[i, first[i]:s + 1], mo0[first[i]:s + 1], shrink=1.0)
                for h in range(1, H + 1):
                    SFE[h - 1, i, s] = sf[(mo0[s] + h) % 12] - sf[mo0[s]]
    X = {}
    for i, k in enumerate(keys):
        c = Cl[i]
        d1 = c - np.r_[np.nan, Cf[i][:-1]]
        d2, d3 = np.r_[np.nan, d1[:-1]], np.r_[np.nan, np.nan, d1[:-2]]
        peers = [j for j in grp[(k[1], k[2])] if j != i]
        if peers:
            xg = c - np.nanmean(Cl[peers], axis=0)
            rel = xg - trailing_mean(xg, 36, 12)
            pd1 = np.nanmean(np.array([Cl[j] - np.r_[np.nan, Cf[j][:-1]] for j in peers]), axis=0)
        else:
            rel = pd1 = np.zeros(NM)
        ow = [j for j, kk in enumerate(keys) if kk[0] == "Owino" and kk[1] == k[1] and kk[2] == k[2]] or \
             [j for j, kk in enumerate(keys) if kk[0] == "Owino" and kk[1] == k[1]]
        od1 = Cl[ow[0]] - np.r_[np.nan, Cf[ow[0]][:-1]] if (ow and k[0] != "Owino") else np.zeros(NM)
        gap36 = Cf[i] - trailing_mean(np.where(obs[i], C[i], np.nan), 36, 18)
        cols = [d1, d2, d3, rel, pd1, od1, gap36]
        cols += [np.nan_to_num(rel) * (ci[i] == cc) for cc in range(len(crops))]
        cols += [harm[:, q] * (ci[i] == cc) for cc in range(len(crops)) for q in range(4)]
        cols += [harm[:, q] * (k[0] in NORTH) for q in range(4)]
        X[i] = np.nan_to_num(np.column_stack(cols))
    def xrow(i, s, h):
        e = SFE[h - 1, i, s]
        return np.r_[X[i][s], e, [e * (ci[i] == cc) for cc in range(len(crops))]]
    rows = [(i, s) for i in range(n) for s in range(first[i] + MIN_HIST, NM) if obs[i, s]]
    RI, RS = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    XA = {h: np.array([xrow(i, s, h) for i, s in rows]) for h in range(1, H + 1)}
    YA = {h: np.array([C[i, s + h] - C[i, s] if s + h < NM and obs[i, s + h] else np.nan for i, s in rows])
          for h in range(1, H + 1)}

    def ridge(Xt, yt, lam):
        mu, sd = Xt.mean(0), Xt.std(0) + 1e-8
        Z = (Xt - mu) / sd
        ym = yt.mean()
        b = np.linalg.solve(Z.T @ Z + lam * len(yt) * np.eye(Z.shape[1]), Z.T @ (yt - ym))
        return lambda x: ym + ((x - mu) / sd) @ b

    by_month = {}
    for i in range(n):
        for m in need[i]:
            by_month.setdefault(m, []).append(i)
    for T, ilist in sorted(by_month.items()):
        for h in range(1, H + 1):
            tr = (RS + h <= T) & np.isfinite(YA[h])     # target month must be <= origin
            if tr.sum() < 100:                           # too little pooled history yet: no change predicted
                f = lambda x: 0.0
            else:
                f = ridge(XA[h][tr], np.clip(YA[h][tr], -TARGET_CLIP, TARGET_CLIP), RIDGE_LAM)
            for i in ilist:
                FC["pool"].setdefault((i, T), np.zeros(H))[h - 1] = C[i, T] + f(xrow(i, T, h))
    for k in FC["pool"]:
        FC["ens"][k] = 0.5 * (FC["pool"][k] + FC["seas_naive"][k])
    t_pool = time.time() - t0

    # ---------------- Prophet
    t0 = time.time()
    _PJ.update(C=C, L=L, ds=ds)
    jobs = [(i, m, "clean") for i in range(n) for m in need_prophet[i]]
    if args.prophet_raw:
        FC["prophet_rawlog"] = {}
        jobs += [(i, m, "raw") for i in range(n) for v in eval_sets.values() for m in v[i] if m - first[i] >= MIN_HIST]
    cache = {}
    if args.prophet_cache and os.path.exists(args.prophet_cache):
        cache = pd.read_pickle(args.prophet_cache)
    todo = [j for j in jobs if (keys[j[0]], j[1], j[2]) not in cache]
    with Pool(args.procs) as pool:
        for (i, m, w), f in pool.imap_unordered(_prophet_job, todo, chunksize=8):
            cache[(keys[i], m, w)] = f
    for (i, m, w) in jobs:
        FC["prophet" if w == "clean" else "prophet_rawlog"][(i, m)] = cache[(keys[i], m, w)]
    if args.prophet_cache:
        pd.to_pickle(cache, args.prophet_cache)
    t_prophet = time.time() - t0

    # ---------------- inner-backtest helpers (only actuals at months <= the decision origin are used)
    def ape(fc, i, s, h):
        t = s + h
        if t >= NM or not obs[i, t] or (i, s) not in fc:
            return np.nan
        a = np.exp(L[i, t])
        return abs(np.exp(fc[(i, s)][h - 1]) - a) / a

    # BLEND: global per-horizon weight on (ENS - clean_last), chosen on all series' inner origins
    t0 = time.time()
    wcache = {}
    all_need_months = sorted(by_month)
    for T in all_need_months:
        ws = []
        for h in range(1, H + 1):
            base, delta, act = [], [], []
            for j in range(n):
                for s in need[j]:
                    if T - W_INNER <= s and s + h <= T and obs[j, s + h]:
                        base.append(FC["clean_last"][(j, s)][h - 1])
                        delta.append(FC["ens"][(j, s)][h - 1] - FC["clean_last"][(j, s)][h - 1])
                        act.append(np.exp(L[j, s + h]))
            if not act:
                ws.append(0.0)
                continue
            base, delta, act = map(np.array, (base, delta, act))
            errs = [np.mean(np.abs(np.exp(base + w * delta) - act) / act) for w in BLEND_GRID]
            ws.append(BLEND_GRID[int(np.argmin(errs))])
        wcache[T] = np.array(ws)
        for i in by_month[T]:
            FC["blend"][(i, T)] = FC["clean_last"][(i, T)] + wcache[T] * (FC["ens"][(i, T)] - FC["clean_last"][(i, T)])

    # FINAL: per-series override of ENS by a candidate that was >= 30% better in the inner backtest
    ovr_cands = ["naive", "ses", "seas_naive", "prophet", "pool"]
    chosen = {}
    for i in range(n):
        for T in sorted(set(np.concatenate([v[i] for v in eval_sets.values()]))):
            if (i, T) not in FC["ens"]:
                continue                                 # < 12 months of history: scored as naive for every method
            def inner(c):
                e = [[ape(FC[c], i, s, h) for s in need[i] if T - W_INNER <= s < T and s + h <= T] for h in range(1, H + 1)]
                e = [[x for x in eh if np.isfinite(x)] for eh in e]
                return (np.mean([np.mean(eh) for eh in e if eh]) if any(e) else np.inf), sum(len(eh) for eh in e)
            best, (bv, _) = "ens", inner("ens")
            bestv = bv * (1 - OVERRIDE_MARGIN)
            if nobs_upto[i, T] >= OVERRIDE_MINHIST:
                for c in ovr_cands:
                    if (i, T) not in FC[c]:
                        continue
                    v, npts = inner(c)
                    if npts >= OVERRIDE_MINPTS and v < bestv:
                        best, bestv = c, v
            FC["final"][(i, T)] = FC[best][(i, T)]
            chosen[(i, T)] = best
    t_select = time.time() - t0

    # ---------------- scoring
    def score(fc, origins, excl=False):
        out = []
        for h in range(1, H + 1):
            e = []
            for i in range(n):
                for m in origins[i]:
                    if excl and m + h < NM and FLAG[i, m + h]:
                        continue
                    f = fc.get((i, m))
                    x = ape(fc, i, m, h) if f is not None else np.nan
                    if f is None and m + h < NM and obs[i, m + h]:
                        x = ape(FC["naive"], i, m, h)      # no forecast possible (history too short): naive
                    if np.isfinite(x):
                        e.append(x)
            out.append(100 * np.mean(e))
        return np.array(out)

    names = [("naive", "naive (last raw value)"), ("snaive", "seasonal naive (t+h-12)"), ("ses", "SES (alpha by SSE)"),
             ("naive_ses", "naive/SES average"), ("damped", "damped trend (Holt)"), ("theta", "Theta"),
             ("seas_naive", "naive x month factors"), ("seas_ses", "SES on seas.-adj. + factors"),
             ("prophet", "Prophet, log (cleaned)")] + \
            ([("prophet_rawlog", "Prophet, log (raw)")] if args.prophet_raw else []) + \
            [("clean_last", "naive on cleaned value"), ("pool", "POOL pooled ridge"), ("ens", "ENS = (POOL+seas.naive)/2"),
             ("blend", "BLEND = naive->ENS, inner w"), ("final", "FINAL = ENS + guarded override")]
    print(f"\nruntime: total {time.time() - t_start:.0f}s (local {t_local:.0f}s, pooled {t_pool:.0f}s, "
          f"prophet {t_prophet:.0f}s for {len(jobs)} fits, blend/selection {t_select:.0f}s)")
    for tag, origins in eval_sets.items():
        for excl in (False, True):
            nb = score(FC["naive"], origins, excl)
            npts = [sum(1 for i in range(n) for m in origins[i] if m + h < NM and obs[i, m + h]
                        and not (excl and FLAG[i, m + h])) for h in range(1, H + 1)]
            print(f"\n[{tag}] MAPE % ({'excluding actuals flagged by the causal outlier rule' if excl else 'all raw actuals'}); "
                  f"points per h = {npts}")
            print(f"{'method':32s} {'h1':>6s} {'h2':>6s} {'h3':>6s} {'avg':>6s} | {'r1':>5s} {'r2':>5s} {'r3':>5s} {'r_avg':>5s}")
            for k, label in names:
                a = score(FC[k], origins, excl)
                r = a / nb
                print(f"{label:32s} {a[0]:6.2f} {a[1]:6.2f} {a[2]:6.2f} {a.mean():6.2f} | "
                      f"{r[0]:5.3f} {r[1]:5.3f} {r[2]:5.3f} {a.mean() / nb.mean():5.3f}")
    if args.dump:
        pd.to_pickle(dict(FC=FC, keys=keys, L=L, C=C, FLAG=FLAG, obs=obs, months=months, outer=outer, dev=dev,
                          need=need, chosen=chosen, wcache=wcache), args.dump)
    from collections import Counter
    print("\nFINAL choice counts (test origins):", dict(Counter(chosen[(i, m)] for i in range(n) for m in outer[i])))
    print("BLEND weights w_h, mean over test origin months:",
          np.mean([wcache[m] for m in sorted(set(np.concatenate(list(outer.values()))))], axis=0).round(2))
    print("series:", ", ".join(f"{k[0]}/{k[1]}/{k[2][0]}" for k in keys))
    print("flagged (cleaned) observations:", [(keys[i][0], keys[i][1], keys[i][2][0], str(months[m]))
                                              for i in range(n) for m in np.where(FLAG[i])[0]])


if __name__ == "__main__":
    main()
