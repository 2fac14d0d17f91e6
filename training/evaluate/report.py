"""The report in Markdown and the headline figures of its JSON line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import math
from typing import Any

from custom_components.radar_sleep.simulation.hypnogram import (
    REFERENCE_SOURCE,
    STAGE_LABELS,
)
from custom_components.radar_sleep.simulation.scenarios import (
    HELD_OUT_LIMIT,
)
from training.evaluate.agreement import (
    STAGE_NAMES,
    json_ready,
)
from training.evaluate.hypnograms import LABELS as ARCH_LABELS
from training.evaluate.runs import KAPPA_GOAL, METRICS, SW_NAMES

# =============================================================================================
# Report
# =============================================================================================


def _f(v: float | None, digits: int = 2) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def _pct(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{100 * v:.{digits}f}"


def _stage_table(d: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    """Per-stage one-vs-rest figures in %.

    ``d`` is the JSON form of a :class:`GroupAgreement` (per-night mean (SD) and pooled) or
    of an :class:`EpochAgreement` (one night).
    """
    figs = ("sensitivity", "specificity", "ppv", "f1", "accuracy")
    head = "| stage | sensitivity | specificity | PPV | F1 | accuracy |"
    lines = [head, "|---|---|---|---|---|---|"]
    if "pooled" in d:
        for name in names:
            pooled = d["pooled"]["stages"][name]
            cells = [
                f"{_pct(d['average'][f'{name}_{f}']['mean'])} "
                f"({_pct(d['average'][f'{name}_{f}']['sd'])}); {_pct(pooled[f])}"
                for f in figs
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return [*lines, "", "Cells: per-night mean (SD); pooled over all epochs. Percent.", ""]
    for name in names:
        st = d["stages"][name]
        lines.append(f"| {name} | " + " | ".join(_pct(st[f]) for f in figs) + " |")
    return [*lines, "", "Percent (one-vs-rest).", ""]


def _confusion_table(cm: Sequence[Sequence[int]], names: Sequence[str]) -> list[str]:
    lines = [
        "| reference \\ device | " + " | ".join(names) + " | total |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    for name, row in zip(names, cm, strict=True):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + f" | {sum(row)} |")
    return [*lines, ""]


def _ba_table(ba: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = [
        "| metric | n | device mean (SD) | reference mean (SD) | bias [95 % CI] | SD of diff. "
        "| 95 % LoA | prop. bias slope [95 % CI], p | heterosc. p | bias, LoA used |",
        "|---|---:|---|---|---|---:|---|---|---:|---|",
    ]
    for key, label, unit in METRICS:
        b = ba[key]
        pb, ht = b["proportional_bias"], b["heteroscedasticity"]
        used = (
            f"{b['bias_text']}; {b['loa_text']}"
            if b["proportional"] or b["heteroscedastic"]
            else "constant"
        )
        lines.append(
            f"| {label} ({unit}) | {b['n']} | {_f(b['device_mean'], 1)} ({_f(b['device_sd'], 1)})"
            f" | {_f(b['reference_mean'], 1)} ({_f(b['reference_sd'], 1)})"
            f" | {_f(b['bias'], 1)} [{_f(b['bias_ci'][0], 1)}, {_f(b['bias_ci'][1], 1)}]"
            f" | {_f(b['sd'], 1)} | {_f(b['loa_lower'], 1)} to {_f(b['loa_upper'], 1)}"
            f" | {_f(pb['slope'], 3)} [{_f(pb['slope_ci'][0], 3)}, {_f(pb['slope_ci'][1], 3)}]"
            f", {_f(pb['p_value'], 3)} | {_f(ht['p_value'], 3)} | {used} |"
        )
    return [*lines, ""]


def _heldout_lines(held: Mapping[str, Any]) -> list[str]:
    """The held-out physiology paragraph (none without those nights)."""
    if not held.get("four_class"):
        return []
    four, sw = held["four_class"], held["sleep_wake"]
    return [
        "### Held-out physiology range",
        "",
        f"{held['nights']} further simulated nights, seeds {held['seeds'][0]}–"
        f"{held['seeds'][1]}, whose sleeper and sensor lie outside every training range "
        "(breathing rate, depth and regularity, stage contrast, movement habits, movement "
        "index and sensor gain, noise, drift, frame rates of 3, 4 and 16 Hz, radar, belt or "
        "airflow channel; `heldout_physiology_config` in `simulation/scenarios.py`), through "
        "the same pipeline: 4-class κ pooled "
        f"{_f(four['pooled']['kappa'], 3)} (per night median "
        f"{_f(four['average']['kappa']['median'], 3)}), sleep/wake κ pooled "
        f"{_f(sw['pooled']['kappa'], 3)}.",
        "",
    ]


def build_report(fig: Mapping[str, Any]) -> str:
    """The Markdown report, every number taken from ``fig`` (the content of figures.json)."""
    sim = fig["simulated"]
    out: list[str] = [
        "# Radar Sleep: evaluation report",
        "",
        "Generated by `scripts/evaluate` (`training/evaluate/`; statistics in "
        "`training/evaluate/agreement.py`; how to read it: "
        "[docs/evaluation.md](../evaluation.md)). "
        "Method: the standardized framework for testing sleep trackers of Menghini et al. "
        "(2021, *Sleep* 44:zsaa170): epoch-by-epoch agreement per night and pooled, "
        "Bland–Altman analysis of the night metrics. Stage model: "
        f"`{sim['stager']}`. Every figure below is in `figures.json`.",
        "",
        "## 1. Held-out simulated nights",
        "",
        f"{sim['nights']} nights of the bedroom simulator, seeds {sim['seeds'][0]}–"
        f"{sim['seeds'][1]} (seeds below {HELD_OUT_LIMIT} are never used to fit anything), "
        "run frame by frame through the real `SleepPipeline` (presence, primary-user "
        "tracking, features, causal stage model, intent, session, summary). Epoch by epoch "
        "over the in-bed period, from lights off (the simulated user starts trying to sleep) "
        "to getting up, epochs with the user in bed: "
        f"{sim['epochs']} epochs ({sim['absent_epochs']} out-of-bed epochs in that period "
        f"left out, {sim['unscored_epochs']} in-bed epochs the pipeline did not score left "
        f"out). Nights with exactly one session: {sim['nights_one_session']}/{sim['nights']}.",
        "",
    ]
    four, sw = sim["four_class"], sim["sleep_wake"]
    k_avg, k_pool = four["average"]["kappa"], four["pooled"]["kappa"]
    goal = "met" if k_pool is not None and k_pool >= KAPPA_GOAL else "**not met**"
    out += [
        "| figure | 4-class (wake/light/deep/REM) | sleep/wake |",
        "|---|---:|---:|",
        f"| Cohen's κ, pooled | {_f(k_pool, 3)} | {_f(sw['pooled']['kappa'], 3)} |",
        f"| κ per night, mean (SD) [95 % CI] | {_f(k_avg['mean'], 3)} ({_f(k_avg['sd'], 3)}) "
        f"[{_f(k_avg['ci_low'], 3)}, {_f(k_avg['ci_high'], 3)}] | "
        f"{_f(sw['average']['kappa']['mean'], 3)} ({_f(sw['average']['kappa']['sd'], 3)}) "
        f"[{_f(sw['average']['kappa']['ci_low'], 3)}, {_f(sw['average']['kappa']['ci_high'], 3)}]"
        " |",
        f"| κ per night, median (min–max) | {_f(k_avg['median'], 3)} ({_f(k_avg['min'], 3)}–"
        f"{_f(k_avg['max'], 3)}) | {_f(sw['average']['kappa']['median'], 3)} "
        f"({_f(sw['average']['kappa']['min'], 3)}–{_f(sw['average']['kappa']['max'], 3)}) |",
        f"| accuracy, pooled (%) | {_pct(four['pooled']['accuracy'])} | "
        f"{_pct(sw['pooled']['accuracy'])} |",
        f"| accuracy per night, mean (SD) (%) | {_pct(four['average']['accuracy']['mean'])} "
        f"({_pct(four['average']['accuracy']['sd'])}) | "
        f"{_pct(sw['average']['accuracy']['mean'])} ({_pct(sw['average']['accuracy']['sd'])}) |",
        "",
        f"Goal: 4-class pooled κ ≥ {KAPPA_GOAL}: {goal}.",
        "",
        *_heldout_lines(fig.get("heldout_physiology", {})),
        "### Epoch by epoch, 4 classes",
        "",
        "Confusion matrix, pooled over all nights (rows: truth, columns: pipeline):",
        "",
        *_confusion_table(four["pooled"]["confusion"], STAGE_NAMES),
        "![confusion matrix, simulated nights](confusion_simulated.png)",
        "",
        "Row-normalised, mean of the per-night matrices (Menghini's proportional error "
        "matrix; a cell is averaged over the nights whose truth has that stage):",
        "",
        "| reference \\ device | " + " | ".join(STAGE_NAMES) + " |",
        "|---|" + "---:|" * len(STAGE_NAMES),
        *[
            f"| {name} | " + " | ".join(_f(v, 3) for v in row) + " |"
            for name, row in zip(STAGE_NAMES, four["mean_confusion_normalised"], strict=True)
        ],
        "",
        "One-vs-rest figures per stage:",
        "",
        *_stage_table(four, STAGE_NAMES),
        "### Epoch by epoch, sleep/wake",
        "",
        *_confusion_table(sw["pooled"]["confusion"], SW_NAMES),
        *_stage_table(sw, SW_NAMES),
        "### Night metrics (Bland–Altman)",
        "",
        "Device: the pipeline's own night summary (its lights-off estimate to the end of its "
        "session). Reference: the same metrics of the true hypnogram from true lights off to "
        "getting up. Differences are device − reference, plotted and regressed against the "
        "mean of the two. *Proportional bias* when the slope of the differences on the mean "
        "is significant (95 % CI excludes 0), *heteroscedastic* when the slope of the "
        "absolute residuals is; then bias and LoA are the regression-based bands of Bland & "
        "Altman (1999) given in the last column, as in Menghini's `BAplot`.",
        "",
        *_ba_table(sim["bland_altman"]),
        " ".join(f"![{label}](ba_{key}.png)" for key, label, _ in METRICS),
        "",
        f"### Example night (seed {sim['example_seed']}, κ {_f(sim['example_kappa'], 3)}, the "
        "median night)",
        "",
        "![hypnogram of a simulated night](hypnogram_simulated.png)",
        "",
    ]
    out += _real_section(fig["real"])
    out += _arch_section(fig["architecture"])
    return "\n".join(out).rstrip() + "\n"


def _real_section(real: Mapping[str, Any]) -> list[str]:
    out = ["## 2. The real night (Sleep-EDF SC4001, breathing only)", ""]
    if "skipped" in real:
        return [*out, f"Skipped: {real['skipped']}.", ""]
    four, sw = real["four_class"], real["sleep_wake"]
    lo, hi = real["window_epochs"]
    out += [
        "One healthy young adult, one night (PhysioNet Sleep-EDF Expanded, record "
        f"{real['record']}), reduced to what a radar would see: the 1-Hz oro-nasal "
        "thermistor channel alone (no EEG, EOG or EMG). `training/psg/analyze.py`'s "
        "`analyze_breathing` turns it into the frames a bedside radar would send (resampled "
        "to 10 Hz, scaled to a typical chest excursion, movement derived from the breathing "
        "signal's own fast deflections, the radar's respiration band-pass) and runs the "
        "same `SleepPipeline` and stage model as section 1. The 22-h recording is cut to "
        f"the main sleep period of `summary.json` (epochs {real['first_sleep_epoch']}–"
        f"{real['last_sleep_epoch']}) ± {real['margin_min']} min: epochs {lo}–{hi - 1} "
        f"({(hi - lo) / 120:.1f} h), as if the person went to bed {real['margin_min']} min "
        f"before falling asleep and got up {real['margin_min']} min after the last sleep "
        "epoch; the analyser gets that window only (a radar sees the bed, not the day). "
        "Compared epoch by epoch with the expert hypnogram (R&K; N1 + N2 = light, S3 + S4 "
        f"= deep): {real['epochs']} epochs. The analyser saw breathing (presence) in "
        f"{_pct(real['present_fraction'])} % of them; {_pct(real['clear_breathing_fraction'])}"
        " % of its 60-s windows were clear periodic breathing; "
        f"{_pct(real['movement_fraction'])} % of frames had a movement index above 0.1; "
        f"sessions: {real['sessions']}.",
        "",
        "| figure | 4-class | sleep/wake |",
        "|---|---:|---:|",
        f"| Cohen's κ | {_f(four['kappa'], 3)} | {_f(sw['kappa'], 3)} |",
        f"| accuracy (%) | {_pct(four['accuracy'])} | {_pct(sw['accuracy'])} |",
        f"| Cohen's κ, baseline HMM instead (`BaselineStager`) | "
        f"{_f(real['baseline_kappa_4class'], 3)} | {_f(real['baseline_kappa_sleep_wake'], 3)} |",
        "",
        "The last row runs the same night through the baseline hidden Markov model that the "
        "trained stage model replaced: on simulated nights the trained model is far better "
        "(section 1), on this real night it is not; see the limits below and "
        "[docs/model-card.md](../model-card.md).",
        "",
        *_confusion_table(four["confusion"], STAGE_NAMES),
        *_stage_table(four, STAGE_NAMES),
        *_confusion_table(sw["confusion"], SW_NAMES),
        *_stage_table(sw, SW_NAMES),
        "![confusion matrix, real night](confusion_real.png)",
        "",
        "Night metrics. *Window*: `sleep_metrics` of the analyser's stages and of the "
        "experts' over the same window, whose start stands in for lights off (so the expert "
        f"SOL is the {real['margin_min']}-min margin by construction). *Summary*: what the "
        "pipeline itself reports for the night (its own lights-off estimate to the end of "
        "its session), as in section 1.",
        "",
        "| metric | analyser, window | expert, window | difference | analyser, summary |",
        "|---|---:|---:|---:|---:|",
    ]
    summary = real.get("summary_metrics") or {}
    for key, label, unit in METRICS:
        d, r = real["dev_metrics"].get(key), real["ref_metrics"].get(key)
        diff = None if d is None or r is None else d - r
        out.append(
            f"| {label} ({unit}) | {_f(d, 1)} | {_f(r, 1)} | {_f(diff, 1)} "
            f"| {_f(summary.get(key), 1)} |"
        )
    out += [
        "",
        "![hypnogram of the real night](hypnogram_real.png)",
        "",
        "What limits these figures:",
        "",
        "- **One night of one healthy young adult**: κ of a single night has a wide "
        "sampling spread (the simulated nights' per-night κ range shows how much nights "
        "differ) and says nothing about other people, ages or sleep disorders.",
        "- **A 1-Hz thermistor is not a radar.** It measures the temperature of oro-nasal "
        "airflow, not chest displacement; 1 Hz is barely twice the fastest breathing "
        "(Nyquist 0.5 Hz = 30 breaths/min), so breath-to-breath timing is quantised to 1 s "
        "(about 25 % of a 4-s breath) and the interval variability that separates deep from "
        "light and REM sleep is mostly lost; amplitude is in ADC counts with drifts from "
        "mouth breathing and sensor position.",
        "- **Movement is inferred**, from artefacts in the breathing signal, not measured: "
        "a radar's movement channel, the strongest wake cue, is missing.",
        "- **The in-bed period is assumed** (± 30 min around the experts' sleep period): "
        "SOL and the final wake are partly set by that choice.",
        "- **The models were fitted on simulated radar nights only**; this night tests "
        "their transfer to a different sensor without any adaptation.",
        "",
    ]
    return out


def _arch_section(arch: Mapping[str, Any]) -> list[str]:
    out = ["## 3. Simulated sleep architecture against real hypnograms", ""]
    if "skipped" in arch:
        return [*out, f"Skipped: {arch['skipped']}.", ""]
    stats = arch["stats"]
    cols = list(stats)
    seeds = arch["model_seeds"]
    out += [
        "Columns: `model`: sleep periods drawn from the simulator's hypnogram model "
        f"(`simulation/hypnogram.py`, {arch['model_nights']} nights, "
        f"`np.random.default_rng(seed)` for seeds {seeds[0]}–{seeds[1]}, as "
        "`scripts/evaluate hypnograms`); `nights`: the true hypnograms of section 1's "
        "simulated nights; then the real expert-scored main sleep periods: `sleep-edf-sc` "
        "(healthy young adults, the source the model is fitted to), `ucddb` and `slpdb` "
        "(sleep-apnea patients: a pathological reference, not a norm). Every figure is over "
        "the sleep period (first to last sleep epoch).",
        "",
        "| figure | " + " | ".join(cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for key, label in ARCH_LABELS.items():
        digits = 0 if key == "n_nights" else 1
        out.append(f"| {label} | " + " | ".join(_f(stats[c][key], digits) for c in cols) + " |")
    out += [
        "",
        "![stage proportions](stage_proportions.png)",
        "",
        f"Epoch transition probabilities, `model` / `{REFERENCE_SOURCE}` (row → column, self "
        "transitions included):",
        "",
        "| from \\ to | " + " | ".join(STAGE_LABELS) + " |",
        "|---|" + "---:|" * len(STAGE_LABELS),
    ]
    for a in STAGE_LABELS:
        cells = " | ".join(
            f"{_f(stats['model'][f'trans_{a}_{b}'], 3)} / "
            f"{_f(stats[REFERENCE_SOURCE][f'trans_{a}_{b}'], 3)}"
            for b in STAGE_LABELS
        )
        out.append(f"| {a} | {cells} |")
    m, n = arch["match"]["model"], arch["match"]["nights"]
    out += [
        "",
        "![transition matrices](transitions.png)",
        "",
        f"Match with `{REFERENCE_SOURCE}`: largest difference in a stage's % of TST "
        f"{_f(m['stage_pct_max_abs_diff'], 1)} points (model), "
        f"{_f(n['stage_pct_max_abs_diff'], 1)} (simulated nights); median NREM-REM cycle "
        f"{_f(m['cycle_median_min'], 1)} min (model), {_f(n['cycle_median_min'], 1)} "
        f"(nights) against {_f(m['cycle_median_min_reference'], 1)}; transition "
        f"probabilities differ by {_f(m['transition_mean_abs_diff'], 3)} on average and "
        f"{_f(m['transition_max_abs_diff'], 3)} at most (model).",
        "",
    ]
    return out


def headline(fig: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of the last stdout line."""
    sim = fig["simulated"]
    four, sw = sim["four_class"], sim["sleep_wake"]
    ba = sim["bland_altman"]
    out: dict[str, Any] = {
        "stager": sim["stager"],
        "sim_nights": sim["nights"],
        "sim_epochs": sim["epochs"],
        "sim_kappa_4class_pooled": four["pooled"]["kappa"],
        "sim_kappa_4class_median_night": four["average"]["kappa"]["median"],
        "sim_kappa_4class_mean_night": four["average"]["kappa"]["mean"],
        "sim_accuracy_4class": four["pooled"]["accuracy"],
        "sim_kappa_sleep_wake": sw["pooled"]["kappa"],
        "sim_kappa_goal_met": bool(
            four["pooled"]["kappa"] is not None and four["pooled"]["kappa"] >= KAPPA_GOAL
        ),
    }
    for key, label, _ in METRICS:
        out[f"{label.lower()}_bias"] = ba[key]["bias"]
    held = fig.get("heldout_physiology", {})
    if held.get("four_class"):
        out["heldout_physiology_kappa_4class_pooled"] = held["four_class"]["pooled"]["kappa"]
        out["heldout_physiology_kappa_sleep_wake"] = held["sleep_wake"]["pooled"]["kappa"]
    real = fig["real"]
    if "skipped" in real:
        out["real"] = f"skipped: {real['skipped']}"
    else:
        out["real_kappa_4class"] = real["four_class"]["kappa"]
        out["real_kappa_sleep_wake"] = real["sleep_wake"]["kappa"]
        out["real_accuracy_4class"] = real["four_class"]["accuracy"]
        out["real_baseline_kappa_4class"] = real["baseline_kappa_4class"]
        out["real_baseline_kappa_sleep_wake"] = real["baseline_kappa_sleep_wake"]
    arch = fig["architecture"]
    if "skipped" in arch:
        out["hypnograms"] = f"skipped: {arch['skipped']}"
    else:
        m = arch["match"]["model"]
        out["hyp_stage_pct_max_abs_diff"] = m["stage_pct_max_abs_diff"]
        out["hyp_cycle_median_min_sim"] = m["cycle_median_min"]
        out["hyp_cycle_median_min_real"] = m["cycle_median_min_reference"]
        out["hyp_transition_max_abs_diff"] = m["transition_max_abs_diff"]
    return json_ready(out)  # type: ignore[no-any-return]
