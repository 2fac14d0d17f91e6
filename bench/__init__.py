"""Speed (and FMCW accuracy) benchmarks: ``python -m bench`` runs them all.

Modules: :mod:`bench.pipeline` (the sleep pipeline on simulated nights), :mod:`bench.engine`
(stage and intent model inference), :mod:`bench.parsers` (serial byte parsers per family),
:mod:`bench.fmcw` (the raw-FMCW chain); each also runs alone as ``python -m bench.<name>``.
BLAS/FFT threads are pinned to 1 here, before any of them imports numpy.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
