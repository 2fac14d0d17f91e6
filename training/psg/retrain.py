"""Retrain the stage model on a folder of polysomnography recordings, by one command.

    python -m training.psg.retrain DIR --out OUTDIR [--simulated-nights N] [--jobs N]
        [--scheduler tcp://host:8786] [--folds K] [--margin-min 30]

1. **Finds** every night in ``DIR`` (recursively, :func:`discover`): EDF/EDF+ files with a
   breathing channel and WFDB records (``.hea``), each with its hypnogram: the EDF+ file's own
   annotations, a WFDB record's ``.st`` annotations, an NSRR/Compumedics XML
   (``<name>-nsrr.xml``, ``<name>-profusion.xml``, ``<name>.xml``) or a Sleep-EDF hypnogram
   EDF (``SC4001E0-PSG.edf`` with ``SC4001EC-Hypnogram.edf``).
2. **Extracts** the per-epoch features exactly as the runtime does (:func:`extract`): the
   breathing channel chosen by :func:`~training.psg.channels.select_channel` (thoracic belt
   first), cut to the sleep period with ``--margin-min`` minutes either side (a radar sees the
   bed, not the day), turned into the frames a radar would report
   (:func:`~training.psg.view.breathing_view`) and run through the runtime's
   :class:`~custom_components.radar_sleep.sleep.SleepPipeline`, as
   :func:`training.datasets.simulate_night` does for simulated nights. In parallel over nights
   on ``--jobs`` local processes, or on an existing Dask distributed cluster with
   ``--scheduler``.
3. **Trains** the stage network with :mod:`training.train`'s functions, on these nights alone
   or mixed with ``--simulated-nights`` simulated ones, and reports a **subject-wise**
   ``--folds``-fold cross-validated agreement (every night of a subject in the same fold;
   Menghini L et al., *Sleep* 44:zsaa170, 2021, as :mod:`training.evaluate.agreement`
   computes it: Cohen's kappa four-class and sleep/wake, per night and pooled, per stage).
4. **Exports** the model fitted on every night (:func:`training.export.export`) into
   ``--out``: ``stage.npz`` and ``stage.onnx``, which the runtime loads
   (:func:`~custom_components.radar_sleep.sleep.staging.network.load_model`).

The last line printed is one JSON object (kappas, nights, subjects, seconds).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
import functools
import json
import multiprocessing
import os
from pathlib import Path
import re
import sys
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import SessionState
from custom_components.radar_sleep.simulation.scenarios import TRAIN_SEEDS
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.staging.network import (
    MODEL_DIR,
    MlpModel,
    numpy_forward,
    shipped_model,
)
from training.datasets import Night, nights
from training.evaluate.agreement import (
    GroupAgreement,
    epoch_agreement,
    group_agreement,
    json_ready,
    sleep_wake,
)
from training.export import export
from training.psg import RecordingError
from training.psg.channels import ChannelKind, listing
from training.psg.edf import is_edf, list_edf_channels
from training.psg.recording import load_night
from training.psg.view import DEFAULT_FRAME_RATE_HZ, breathing_view
from training.train import (
    STAGE_CONTEXT,
    STAGE_HIDDEN,
    dataset,
    fit_mlp,
    make_meta,
    standardisation,
    to_model,
    with_training,
)

VERSION = "psg-1.0.0"
"""Version tag of a stage model retrained on polysomnography (``stage-psg-1.0.0-L0``)."""
MARGIN_MIN = 30.0
"""Minutes of the recording kept before the first and after the last sleep epoch (the
project's evaluation of a real night keeps the same margin)."""
SW_NAMES = ("wake", "sleep")

type Pair = tuple[NDArray[np.int8], NDArray[np.int64]]
"""A night's expert stages and a model's, on the same epochs."""

_SUFFIXES = re.compile(r"[-_. ](?:psg|hypnogram|nsrr|profusion|annotations?|stages?)$")
_SLEEP_EDF = re.compile(r"^(s[ct]\d{4})[a-z0-9]{2}$")
"""Sleep-EDF names: ``SC4ssN`` + two letters (``E0`` recording, ``EC``/``EH`` scorer)."""
SUBJECT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(s[ct]\d{3})\d"),  # Sleep-EDF SC4ssN / ST7ssN: subject ss, night N
    re.compile(r"^(slp\d+)[a-z]?$"),  # MIT-BIH polysomnographic database: slp01a, slp01b
    re.compile(r"^[a-z]+\d*(?:-[a-z]+)?-(\d+)$"),  # NSRR: shhs1-200001, mesa-sleep-0001
)
"""Default rules for a recording's subject (the first group of the first match on the
normalised name); a name no rule matches is its own subject. ``--subject-pattern`` replaces
them."""


# =============================================================================================
# 1. Finding the nights
# =============================================================================================


@dataclass(frozen=True, slots=True)
class NightSource:
    """One recording to train on: its signal file and where its hypnogram is."""

    signal: Path
    """An EDF/EDF+ file, or a WFDB record (path without suffix)."""
    hypnogram: Path | None
    """A separate hypnogram file, or ``None`` for the signal's own (EDF+ annotations, WFDB
    ``.st``)."""
    subject: str
    name: str


def _key(path: Path) -> str:
    """A recording's name without format suffixes, lower case (``shhs1-200001``)."""
    name = path.name.lower()
    for suffix in (".edf", ".rec", ".bdf", ".xml", ".hea"):
        name = name.removesuffix(suffix)
    while (stripped := _SUFFIXES.sub("", name)) != name:
        name = stripped
    return name


def subject_of(name: str, patterns: Sequence[re.Pattern[str]] = SUBJECT_PATTERNS) -> str:
    """The subject a recording belongs to, by ``patterns`` (see :data:`SUBJECT_PATTERNS`)."""
    for pattern in patterns:
        match = pattern.search(name)
        if match:
            return match.group(1) if match.groups() else match.group(0)
    return name


def _pair_key(key: str) -> str:
    match = _SLEEP_EDF.match(key)
    return match.group(1) if match else key


def _not_breathing(path: Path) -> str | None:
    """Why an EDF file is not a recording to train on (``None`` if it is one)."""
    try:
        channels = list_edf_channels(path)
    except RecordingError as err:
        return str(err)
    if any(ch.kind is not None for ch in channels):
        return None
    return f"no breathing channel (channels: {listing(channels)})"


def discover(
    folder: Path, patterns: Sequence[re.Pattern[str]] = SUBJECT_PATTERNS
) -> tuple[list[NightSource], list[str]]:
    """Every recording with a hypnogram under ``folder``, and why other files were left out.

    EDF files with a breathing channel are recordings; EDF files without one (Sleep-EDF's
    ``*-Hypnogram.edf``) and XML files are hypnograms, matched to a recording by name
    (:func:`_key`; Sleep-EDF's recording and hypnogram differ in the scorer letters). A
    recording without a matching file uses its own annotations (EDF+, WFDB ``.st``).
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    reasons = {p: _not_breathing(p) for p in files if is_edf(p)}
    signals = [p for p, reason in reasons.items() if reason is None]
    hypnograms: dict[str, list[Path]] = {}
    for p in files:
        if p.suffix.lower() == ".xml" or reasons.get(p):
            hypnograms.setdefault(_pair_key(_key(p)), []).append(p)
    records = [p.with_suffix("") for p in files if p.suffix.lower() == ".hea"]
    sources: list[NightSource] = []
    skipped: list[str] = []
    for signal in [*signals, *records]:
        key = _key(signal)
        found = hypnograms.get(_pair_key(key), [])
        # Prefer NSRR's harmonised XML, then any XML, then a hypnogram EDF.
        found = sorted(found, key=lambda p: ("nsrr" not in p.name.lower(), p.suffix != ".xml"))
        hyp = found[0] if found else None
        if hyp is None and not is_edf(signal) and not signal.with_suffix(".st").is_file():
            skipped.append(f"{signal}: no hypnogram (.st, .xml)")
            continue
        sources.append(NightSource(signal, hyp, subject_of(key, patterns), key))
    used = {s.hypnogram for s in sources}
    skipped += [f"{p}: {r}" for p, r in reasons.items() if r and p not in used]
    return sources, skipped


# =============================================================================================
# 2. Features, as the runtime computes them
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Options:
    """How a night becomes features (picklable: sent to worker processes and Dask)."""

    frame_rate_hz: float = DEFAULT_FRAME_RATE_HZ
    margin_min: float | None = MARGIN_MIN
    label: str | None = None
    kinds: tuple[str, ...] | None = None


def sleep_window(stages: NDArray[np.int8], margin_epochs: int | None) -> tuple[int, int]:
    """Epochs ``[lo, hi)`` from ``margin_epochs`` before the first to after the last sleep.

    The whole recording when ``margin_epochs`` is ``None`` or nothing is scored as sleep.
    """
    sleep = np.flatnonzero(stages > 0)
    if margin_epochs is None or sleep.size == 0:
        return 0, int(stages.size)
    return (
        max(0, int(sleep[0]) - margin_epochs),
        min(int(stages.size), int(sleep[-1]) + 1 + margin_epochs),
    )


def extract(source: NightSource, options: Options = Options(), index: int = 0) -> Night:
    """The night's features through the runtime pipeline, with the expert's stages.

    As :func:`training.datasets.simulate_night` with the hypnogram as truth; ``intent`` and
    ``activity`` are not known (0).

    Raises
    ------
    RecordingError
        Unreadable recording or hypnogram, no breathing channel, too short.

    """
    night = load_night(source.signal, source.hypnogram, label=options.label, kinds=options.kinds)
    config = PipelineConfig()
    hyp = night.hypnogram
    if hyp.epoch_seconds != config.epoch_seconds:
        raise RecordingError(
            f"{source.name}: {hyp.epoch_seconds}-s epochs (the model needs "
            f"{config.epoch_seconds}-s epochs)"
        )
    es = config.epoch_seconds
    margin = None if options.margin_min is None else round(options.margin_min * 60 / es)
    lo, hi = sleep_window(hyp.stages, margin)
    fs = night.breathing.fs
    signal = night.breathing.signal[round(lo * es * fs) : round(hi * es * fs)]
    view = breathing_view(signal, fs, frame_rate_hz=options.frame_rate_hz)
    pipeline = SleepPipeline(config)
    xs, present, session, stage = [], [], [], []
    for result in pipeline.run(view.frames()):
        i = result.features.index
        xs.append(result.features.vector())
        present.append(result.record.present)
        session.append(result.update.session_state in (SessionState.ACTIVE, SessionState.AWAY))
        stage.append(int(hyp.stages[lo + i]) if lo + i < hi else -1)
    n = len(xs)
    return Night(
        index,
        np.array(xs, dtype=np.float64),
        np.array(present, dtype=bool),
        np.array(session, dtype=bool),
        np.array(stage, dtype=np.int8),
        np.zeros(n, dtype=np.int8),
        np.zeros(n, dtype=np.int8),
    )


def _extract_or_reason(source: NightSource, index: int, options: Options) -> Night | str:
    """:func:`extract`, or the reason it failed (a bad night must not stop the others)."""
    try:
        return extract(source, options, index)
    except (RecordingError, OSError) as err:
        return f"{source.signal}: {err}"


def extract_all(
    sources: Sequence[NightSource],
    options: Options = Options(),
    *,
    jobs: int = 1,
    scheduler: str | None = None,
) -> list[Night | str]:
    """:func:`extract` for every source, in order: a night, or why it could not be read.

    ``scheduler``: the address of a running Dask distributed scheduler
    (``tcp://host:8786``); the nights are mapped over its workers, which need this project
    and ``training/requirements.txt`` installed. Otherwise ``jobs`` local processes.
    """
    task = functools.partial(_extract_or_reason, options=options)
    indices = list(range(len(sources)))
    if scheduler is not None:
        from distributed import Client  # noqa: PLC0415 - the training extra, only when asked

        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            futures = client.map(task, list(sources), indices, pure=False)
            gathered: list[Night | str] = client.gather(futures)
            return gathered
    if jobs <= 1 or len(sources) <= 1:
        return [task(s, i) for i, s in zip(indices, sources, strict=True)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(jobs, len(sources)), mp_context=context) as pool:
        return list(pool.map(task, sources, indices))


# =============================================================================================
# 3. Training and the subject-wise cross-validation
# =============================================================================================


@dataclass(frozen=True, slots=True)
class FitSettings:
    """The network and its fit (the defaults are :mod:`training.train`'s)."""

    hidden: tuple[int, ...] = STAGE_HIDDEN
    max_iter: int = 200
    seed: int = 0
    night_scale: bool = False


def fit_stage(train: Sequence[Night], settings: FitSettings) -> MlpModel:
    """The stage network (lookahead 0) fitted on ``train``, standardised on them."""
    mean, scale = standardisation(list(train))
    meta = make_meta("stage", STAGE_CONTEXT, 0, mean, scale, night_scale=settings.night_scale)
    x, y, _ = dataset(list(train), meta)
    clf = fit_mlp(x, y, settings.hidden, settings.seed, max_iter=settings.max_iter)
    return to_model(clf, meta)


def predict(model: MlpModel, night: Night) -> Pair:
    """Expert and predicted stages of a night's scored, present epochs (as trained)."""
    x, y, _ = dataset([night], model.meta)
    if not y.size:
        return y, np.zeros(0, np.int64)
    return y, np.argmax(numpy_forward(model, x), axis=1).astype(np.int64)


def folds_of(subjects: Sequence[str], k: int) -> list[int]:
    """Fold of each night: subjects in sorted order dealt round-robin over ``k`` folds."""
    order = {s: i % k for i, s in enumerate(sorted(set(subjects)))}
    return [order[s] for s in subjects]


def cross_validate(
    psg: Sequence[Night],
    subjects: Sequence[str],
    simulated: Sequence[Night],
    k: int,
    settings: FitSettings,
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[GroupAgreement, GroupAgreement, list[Pair]]:
    """Four-class and sleep/wake agreement of each night when its subject was held out.

    Each fold's model trains on the other subjects' nights plus every simulated night.
    Also returns each night's (expert, held-out prediction) epochs, in the order of ``psg``.
    """
    fold = folds_of(subjects, k)
    pairs: list[Pair | None] = [None] * len(psg)
    for f in range(k):
        train = [n for n, g in zip(psg, fold, strict=True) if g != f] + list(simulated)
        test = [i for i, g in enumerate(fold) if g == f]
        if not test:
            continue
        model = fit_stage(train, settings)
        for i in test:
            pairs[i] = predict(model, psg[i])
        progress(f"fold {f + 1}/{k}: {len(test)} nights held out")
    done = [p for p in pairs if p is not None]
    four = group_agreement(done)
    sw = group_agreement([(sleep_wake(r), sleep_wake(d)) for r, d in done], SW_NAMES)
    return four, sw, done


def per_night(names: Sequence[str], pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    """Each night's held-out epochs and kappas (four-class, sleep/wake), by recording."""
    out = []
    for name, (ref, dev) in zip(names, pairs, strict=True):
        out.append(
            {
                "name": name,
                "epochs": int(ref.size),
                "kappa_4class": epoch_agreement(ref, dev).kappa if ref.size else None,
                "kappa_sleep_wake": epoch_agreement(
                    sleep_wake(ref), sleep_wake(dev), SW_NAMES
                ).kappa
                if ref.size
                else None,
            }
        )
    return out


def _summary(agreement: GroupAgreement) -> dict[str, Any]:
    """Kappa pooled and averaged over nights, accuracy, per-stage figures (JSON types)."""
    full = agreement.to_dict()
    return {
        "kappa": full["pooled"]["kappa"],
        "kappa_mean": full["average"]["kappa"]["mean"],
        "accuracy": full["pooled"]["accuracy"],
        "epochs": full["pooled"]["n_epochs"],
        "stages": full["pooled"]["stages"],
        "confusion": full["pooled"]["confusion"],
    }


# =============================================================================================
# The command
# =============================================================================================


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training.psg.retrain", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("folder", type=Path, help="folder of EDF/EDF+ or WFDB recordings")
    parser.add_argument("--out", type=Path, required=True, help="where to write stage.npz/onnx")
    parser.add_argument("--simulated-nights", type=int, default=0, help="mix in N simulated")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scheduler", help="Dask distributed scheduler, tcp://host:8786")
    parser.add_argument("--folds", type=int, default=5, help="subject-wise folds (0: none)")
    parser.add_argument("--margin-min", type=float, default=MARGIN_MIN)
    parser.add_argument("--channel", help="use this channel label instead of the mapping")
    parser.add_argument("--kinds", help="channel kinds in order, e.g. thorax,abdomen")
    parser.add_argument("--subject-pattern", help="regex whose first group is the subject")
    parser.add_argument("--frame-rate", type=float, default=DEFAULT_FRAME_RATE_HZ)
    parser.add_argument("--hidden", default=",".join(map(str, STAGE_HIDDEN)))
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Find, extract, cross-validate, fit on everything, export; print and return the JSON."""
    parser = _parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.out.resolve() == MODEL_DIR.resolve():
        print(f"note: --out is the shipped model directory {MODEL_DIR}; stage.* is replaced")
    kinds = None
    if args.kinds:
        try:
            kinds = tuple(str(ChannelKind(k.strip())) for k in args.kinds.split(","))
        except ValueError:
            parser.error(f"--kinds takes {', '.join(k.value for k in ChannelKind)}")
    patterns = (re.compile(args.subject_pattern),) if args.subject_pattern else SUBJECT_PATTERNS
    sources, skipped = discover(args.folder, patterns)
    if not sources:
        parser.error(f"no recording with a hypnogram in {args.folder}")
    print(f"{len(sources)} recordings found in {args.folder}", flush=True)
    options = Options(args.frame_rate, args.margin_min, args.channel, kinds)
    extracted = extract_all(sources, options, jobs=args.jobs, scheduler=args.scheduler)
    psg: list[Night] = []
    subjects: list[str] = []
    names: list[str] = []
    for source, got in zip(sources, extracted, strict=True):
        if isinstance(got, str):
            skipped.append(got)
        else:
            psg.append(got)
            subjects.append(source.subject)
            names.append(source.name)
    for reason in skipped:
        print(f"skipped {reason}", file=sys.stderr)
    if not psg:
        parser.error("no recording could be read (reasons above)")
    seeds = [TRAIN_SEEDS + i for i in range(args.simulated_nights)]
    simulated = nights(seeds, max(1, args.jobs)) if seeds else []
    settings = FitSettings(
        hidden=tuple(int(h) for h in args.hidden.split(",")),
        max_iter=args.max_iter,
        seed=args.seed,
        night_scale=shipped_model("stage").meta.night_scale,
    )
    n_subjects = len(set(subjects))
    k = min(args.folds, n_subjects)
    figures: dict[str, Any] = {
        "nights": len(psg),
        "subjects": n_subjects,
        "skipped": len(skipped),
        "simulated_nights": len(simulated),
        "scored_epochs": int(sum(int(np.sum(n.present & (n.stage >= 0))) for n in psg)),
        "folds": k if k >= 2 else 0,
    }
    if k >= 2:
        four, sw, pairs = cross_validate(psg, subjects, simulated, k, settings, progress=print)
        figures["four_class"] = _summary(four)
        figures["sleep_wake"] = _summary(sw)
        figures["kappa_4class"] = figures["four_class"]["kappa"]
        figures["kappa_sleep_wake"] = figures["sleep_wake"]["kappa"]
        figures["per_night"] = per_night(names, pairs)
    else:
        print("fewer than 2 subjects: no cross-validation", flush=True)
        figures["kappa_4class"] = figures["kappa_sleep_wake"] = None
    model = fit_stage(psg + simulated, settings)
    info: dict[str, object] = {
        "data": "polysomnography breathing channels through the radar view and the runtime "
        "pipeline" + (" with simulated nights" if simulated else ""),
        "recordings": names,
        "simulated_seeds": [seeds[0], seeds[-1]] if seeds else [],
        "hidden": list(settings.hidden),
        "seed": settings.seed,
        "cv_kappa_4class": figures["kappa_4class"],
        "cv_kappa_sleep_wake": figures["kappa_sleep_wake"],
    }
    model = with_training(model, info)
    model = MlpModel(
        replace(model.meta, version=f"stage-{VERSION}-L0"), model.weights, model.biases
    )
    npz, onnx_path = export(model, args.out)
    print(f"wrote {npz} and {onnx_path}")
    figures["out"] = str(args.out)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures = json_ready(figures)
    print(json.dumps(figures, allow_nan=False))
    return figures


if __name__ == "__main__":
    main()
