"""Polysomnography (PSG) recordings: readers, channel mapping, the radar's view, analysis.

So that anyone with access to polysomnography can retrain and check Radar Sleep on it, this
package reads the formats sleep researchers have and returns typed, unit-carrying data:

* :mod:`.edf`: EDF / EDF+ signals and annotation hypnograms (``edfio``);
* :mod:`.wfdb`: WFDB records with MIT-BIH ``.st`` stage annotations (``wfdb``);
* :mod:`.nsrr`: NSRR and Compumedics Profusion XML hypnograms;
* :mod:`.hypnogram`: the :class:`~.hypnogram.Hypnogram` type, stage labels, the stage CSV;
* :mod:`.channels`: which channel is breathing, and which one to use;
* :mod:`.recording`: any of the above by the file's suffix, and a night (breathing plus
  hypnogram on one epoch grid);
* :mod:`.view`: a breathing recording as a bedside radar would see it;
* :mod:`.analyze`: the researcher tool, ``python -m training.psg.analyze FILE``;
* :mod:`.retrain`: the stage model retrained on a folder of recordings,
  ``python -m training.psg.retrain DIR --out OUT``.

Every reader and the view raise :class:`RecordingError`. ``edfio`` and ``wfdb`` are imported
when a file of theirs is read (:func:`require`); the runtime never imports this package.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class RecordingError(ValueError):
    """A recording cannot be read or analysed (with the reason, for the user)."""


def require(name: str) -> ModuleType:
    """The reader package ``name`` (``edfio``, ``wfdb``), or a clear error without it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise RecordingError(
            f"reading this file needs the {name} package: pip install -r training/requirements.txt"
        ) from None
