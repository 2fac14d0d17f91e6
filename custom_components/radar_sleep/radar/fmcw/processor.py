"""The streaming raw-FMCW chain: IF frames in, one ``VitalsFrame`` per frame out."""

from __future__ import annotations

from collections import deque
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal

from ...contracts import TargetVitals, VitalsFrame
from .config import DspConfig, FmcwConfig
from .detection import detect_in_window
from .dsp import (
    FloatArray,
    block_filter_matrix,
    breathing_bandpass,
    circle_fit_kasa,
    circle_fit_pratt,
    range_bins,
    range_profiles,
    unwrap_phase,
)
from .tracker import Track, associate


def _power(x: NDArray[np.complex64]) -> NDArray[np.float64]:
    """``|x|^2`` in float64 (for the window sums)."""
    w = x.view(np.float32).astype(np.float64)
    w *= w
    return w[..., 0::2] + w[..., 1::2]


_TWO_PI = 2.0 * math.pi


class FmcwProcessor:
    """Streaming vital-signs processor: IF frames in, one ``VitalsFrame`` per frame out.

    Feed batches of frames (any size; typically 1-2 s) to :meth:`process`. The processor
    keeps what it needs across batches: the last ``max(detection_window_s, fit_window_s)``
    seconds of range profiles (the background for clutter removal, detection and the circle
    fit), the targets, each target's phase continuity and filter states. Detection, tracking
    and the circle fit are updated every ``dsp.update_s`` of frames, at boundaries counted
    from the first frame, so batches whose sizes are multiples of the update interval give
    the same output as one big batch. All filters are causal (``sosfilt`` with kept state).

    Per target and frame: ``respiration_mm`` is one sample of the breathing band-pass of the
    chest displacement; ``movement`` maps the RMS (over ``movement_smoothing_s``) of the
    displacement's second difference, i.e. of the change of the phase derivative from frame
    to frame, linearly from ``movement_floor_mm`` (0) to ``movement_full_mm`` (1): breathing
    and heartbeat change the derivative by hundredths of a millimetre per frame, body movement
    faster than a quarter wavelength per frame scrambles the phase and changes it by about a
    millimetre. The circle fit and the band-pass restart when a movement ends.
    ``signal_quality`` is the breathing-band fraction of the power of the displacement
    velocity over the last ``quality_window_s``, rescaled so that white noise scores 0 and a
    pure breathing signal 1, and 0 while the movement index is above ``movement_reset``.
    """

    def __init__(self, config: FmcwConfig | None = None, dsp: DspConfig | None = None) -> None:
        """Set up the filters for ``config``'s frame rate."""
        self.config = config or FmcwConfig()
        self.dsp = dsp or DspConfig()
        fs = self.config.frame_rate_hz
        sos = breathing_bandpass(self.dsp, fs)
        # sosfilt, one section at a time through lfilter (same arithmetic, less overhead).
        self._sections = [(np.asarray(sec[:3]), np.asarray(sec[3:])) for sec in sos]
        self._bp_zi = signal.sosfilt_zi(sos)
        alpha = 1.0 - math.exp(-1.0 / (self.dsp.movement_smoothing_s * fs))
        self._ms_ba = (np.array([alpha]), np.array([1.0, alpha - 1.0]))
        # Both filters as one matrix product per block length (cached): see block_filter_matrix.
        self._bp_blocks: dict[int, NDArray[np.float64]] = {}
        self._ms_blocks: dict[int, NDArray[np.float64]] = {}
        self._update = max(1, round(self.dsp.update_s * fs))
        self._bp_blocks[self._update] = block_filter_matrix(self._sections, self._update)
        self._ms_blocks[self._update] = block_filter_matrix([self._ms_ba], self._update)
        self._det_frames = max(2, round(self.dsp.detection_window_s * fs))
        self._min_det = max(2, round(self.dsp.min_detection_s * fs))
        self._fit_frames = max(3, round(self.dsp.fit_window_s * fs))
        self._hold = round(self.dsp.hold_s * fs)
        self._quality_frames = max(2, round(self.dsp.quality_window_s * fs))
        # Share of white velocity noise that passes the band-pass: its noise bandwidth.
        impulse = signal.sosfilt(sos, np.r_[1.0, np.zeros(round(120 * fs))])
        self._white = float(impulse @ impulse)
        self._history = max(self._det_frames, self._fit_frames, self._update) + 1
        self._disp_scale = -1000.0 * self.config.wavelength_m / (4.0 * math.pi)
        self._bins: slice | None = None
        self._real: bool | None = None
        self.reset()

    def reset(self) -> None:
        """Forget every target and all history (a new recording)."""
        self._ring: NDArray[np.complex64] | None = None
        """Range profiles: the last ``_history`` frames and room for more (filled to ``_used``);
        moved to the front only when full, so that an update copies no history."""
        self._used = 0
        self._n = 0
        self._tracks: list[Track] = []
        self._next_id = 1
        self._sums: tuple[NDArray[np.complex128], FloatArray] | None = None
        self._sum_lo = self._sum_hi = 0
        self._sum_updates = 0
        self._blocks: deque[tuple[int, int, NDArray[np.complex128], FloatArray]] = deque()
        """Sums of the blocks added to the window since it was last summed whole."""

    @property
    def frames_seen(self) -> int:
        """Number of frames processed since the last reset."""
        return self._n

    def process(self, frames: ArrayLike, t: ArrayLike | None = None) -> list[VitalsFrame]:
        """Process a batch of IF frames.

        Parameters
        ----------
        frames
            ``N x RX x chirps x samples`` (see :func:`~.dsp.range_profiles`).
        t
            Frame times in seconds (default: frame count / frame rate).

        Returns
        -------
        list of VitalsFrame
            One per input frame, in order.

        """
        x = np.asarray(frames)
        if x.ndim == 3:
            x = x[None]
        if x.ndim != 4 or x.shape[1] != self.config.n_rx:
            raise ValueError(f"frames must be N x {self.config.n_rx} x chirps x samples")
        real = not np.iscomplexobj(x)
        if self._bins is None or self._real != real:
            # First batch, or the input switched between real and complex: other bins.
            self._bins = range_bins(self.config, self.dsp, real=real)
            self._real = real
            self._ring = None
            self._sums = None
            self._tracks = []
        n_new = x.shape[0]
        if n_new == 0:
            return []
        if t is None:
            times = (self._n + np.arange(n_new)) / self.config.frame_rate_hz
        else:
            times = np.asarray(t, dtype=np.float64).reshape(-1)
            if times.size != n_new:
                raise ValueError("t must have one time per frame")
        profiles = range_profiles(x, self.config, self._bins)
        ring, used = self._ring, self._used
        if ring is None or ring.shape[1:] != profiles.shape[1:]:
            ring, used = None, 0
        if ring is None or used + n_new > ring.shape[0]:
            keep = min(used, self._history)
            if ring is None or keep + n_new > ring.shape[0]:
                bigger = np.empty(
                    (max(4 * self._history, keep + n_new), *profiles.shape[1:]), np.complex64
                )
                if ring is not None and keep:
                    bigger[:keep] = ring[used - keep : used]
                ring = bigger
            elif keep:
                ring[:keep] = ring[used - keep : used].copy()
            used = keep
        ring[used : used + n_new] = profiles
        p_all = ring[: used + n_new]
        base = used
        g0 = self._n - base  # global index of p_all[0]
        out: list[VitalsFrame] = []
        time_list: list[float] = times.tolist()
        a = 0
        while a < n_new:
            b = min(n_new, a + self._update - (self._n + a) % self._update)
            self._chunk(p_all, base + a, base + b, g0=g0, times=time_list[a:b], out=out)
            a = b
        self._n += n_new
        self._ring, self._used = ring, used + n_new
        return out

    # -- one update ------------------------------------------------------------------------

    def _window_sums(self, p_all: NDArray[np.complex64], b: int, g0: int) -> int:
        """Slide the running sums of the detection window to end at ``p_all[b]``.

        Keeps the sum and the sum of squared magnitudes of the profiles over the window, so
        that each update adds and removes one update's worth of frames instead of summing
        the whole window. Recomputed from scratch now and then against rounding drift.
        Returns the window start (index into ``p_all``).
        """
        g_end = g0 + b
        g_lo = max(0, g_end - self._det_frames)
        fresh = self._sums is None or self._sum_lo < g0 or self._sum_updates >= 600
        if fresh:
            w = p_all[g_lo - g0 : b].astype(np.complex128)
            self._sums = (w.sum(axis=0), (w.real**2 + w.imag**2).sum(axis=0))
            self._sum_updates = 0
            self._blocks.clear()
        else:
            assert self._sums is not None
            s1, s2 = self._sums
            add = p_all[self._sum_hi - g0 : b]
            add1 = add.sum(axis=0, dtype=np.complex128)
            add2 = _power(add).sum(axis=0, dtype=np.float64)
            blocks = self._blocks
            blocks.append((self._sum_hi, g_end, add1, add2))
            s1 = s1 + add1
            s2 = s2 + add2
            # What leaves the window: whole blocks added before as they were, the rest anew.
            lo = self._sum_lo
            while blocks and blocks[0][0] == lo and blocks[0][1] <= g_lo:
                _, lo, drop1, drop2 = blocks.popleft()
                s1 -= drop1
                s2 -= drop2
            if lo < g_lo:
                drop = p_all[lo - g0 : g_lo - g0]
                s1 -= drop.sum(axis=0, dtype=np.complex128)
                s2 -= _power(drop).sum(axis=0, dtype=np.float64)
            while blocks and blocks[0][0] < g_lo:
                blocks.popleft()
            self._sums = (s1, s2)
            self._sum_updates += 1
        self._sum_lo, self._sum_hi = g_lo, g_end
        return g_lo - g0

    def _chunk(
        self,
        p_all: NDArray[np.complex64],
        a: int,
        b: int,
        *,
        g0: int,
        times: list[float],
        out: list[VitalsFrame],
    ) -> None:
        """Detect/track at the end of frames ``a..b`` of ``p_all`` and emit their frames."""
        assert self._bins is not None
        n = b - a
        lo = self._window_sums(p_all, b, g0)
        if g0 + b >= self._min_det and b - lo >= 2 and self._sums is not None:
            count = b - lo
            mean = self._sums[0] / count
            var = self._sums[1] / count - (mean.real**2 + mean.imag**2)
            energy = np.maximum(var, 0.0).sum(axis=0)
            dets = detect_in_window(
                p_all[lo:b],
                mean,
                energy,
                config=self.config,
                dsp=self.dsp,
                first_bin=self._bins.start,
            )
            self._next_id = associate(
                self._tracks,
                dets,
                n,
                g0 + a,
                dsp=self.dsp,
                fit_frames=self._fit_frames,
                next_id=self._next_id,
            )
        else:
            for tr in self._tracks:
                tr.missed += n
        self._tracks = [tr for tr in self._tracks if tr.missed <= self._hold]
        if not self._tracks:
            out.extend([VitalsFrame(t, ()) for t in times])
            return
        columns = [self._extract(tr, p_all, a, b, g0) for tr in self._tracks]
        rate = self.config.frame_rate_hz
        # Positional arguments: these frozen dataclasses are built 20 times a second per target.
        per_target = [
            [
                TargetVitals(tid, dist, ang, (r,), rate, m, q)
                for r, m, q in zip(resp, mov, qual, strict=True)
            ]
            for tid, dist, ang, resp, mov, qual in columns
        ]
        if len(per_target) == 1:
            out.extend([VitalsFrame(t, (tv,)) for t, tv in zip(times, per_target[0], strict=True)])
        else:
            frames = zip(*per_target, strict=True)
            out.extend([VitalsFrame(t, tvs) for t, tvs in zip(times, frames, strict=True)])

    def _extract(
        self, tr: Track, p_all: NDArray[np.complex64], a: int, b: int, g0: int
    ) -> tuple[int, float, float | None, list[float], list[float], list[float]]:
        """Demodulate a track over frames ``a..b``: breathing, movement, quality."""
        dsp = self.dsp
        lo = max(0, b - self._fit_frames, tr.fit_start - g0)
        lo = min(lo, max(0, b - 2 * self._update), max(0, a - 1))
        z = p_all[lo:b, :, tr.bin].astype(np.complex128) @ tr.weights.conj()
        fit = circle_fit_kasa if dsp.circle_fit == "kasa" else circle_fit_pratt
        centre, _ = fit(z)
        if not math.isfinite(centre.real):
            centre = complex(z.mean())
        has_prev = tr.last_phase is not None and a >= 1 and a - 1 >= lo
        seg = z[a - 1 - lo :] if has_prev else z[a - lo :]
        rel = seg - centre
        angles = np.arctan2(rel.imag, rel.real)
        if has_prev and tr.last_phase is not None:
            # Unwrapped and continued from the last update's phase in one pass.
            step = angles[1:] - angles[:-1]
            step -= _TWO_PI * np.rint(step * (1.0 / _TWO_PI))
            phase = np.cumsum(step)
            phase += tr.last_phase
        else:
            phase = unwrap_phase(angles)
        tr.last_phase = float(phase[-1])
        disp = phase * self._disp_scale
        if tr.bp_zi is None or tr.ms_zi is None:
            tr.bp_zi = self._bp_zi * disp[0]
            tr.ms_zi = np.zeros(1)
        if tr.tail is None:
            tr.tail = np.full(2, disp[0])
        # Movement: RMS of the second difference of the displacement.
        ext = np.concatenate((tr.tail, disp))
        tr.tail = ext[-2:]
        d2 = ext[2:] - 2.0 * ext[1:-1] + ext[:-2]
        ms, tr.ms_zi = self._block(self._ms_blocks, [self._ms_ba], d2 * d2, tr.ms_zi)
        span = dsp.movement_full_mm - dsp.movement_floor_mm
        movement = np.sqrt(ms)
        movement -= dsp.movement_floor_mm
        movement *= 1.0 / span
        np.minimum(np.maximum(movement, 0.0, out=movement), 1.0, out=movement)
        moving = movement > dsp.movement_reset
        restart = 0
        if moving.any():
            last = int(np.flatnonzero(moving)[-1])
            tr.fit_start = g0 + a + last + 1
            restart = last + 1 if last + 1 < disp.size else 0
        elif tr.moving:
            restart = 0 if disp.size == 0 else -1  # the movement ended with the last update
        tr.moving = bool(moving[-1])
        # Breathing: band-pass, restarted when a movement ends (no ringing from its artefact).
        if restart == -1:
            tr.bp_zi = self._bp_zi * disp[0]
            breathing = self._bandpass(disp, tr)
        elif restart > 0:
            head = self._bandpass(disp[:restart], tr)
            tr.bp_zi = self._bp_zi * disp[restart]
            breathing = np.concatenate((head, self._bandpass(disp[restart:], tr)))
        else:
            breathing = self._bandpass(disp, tr)
        quality = self._quality(tr, ext, breathing, moving)
        return (
            tr.target_id,
            tr.distance_m,
            tr.angle_deg,
            breathing.tolist(),
            movement.tolist(),
            quality.tolist(),
        )

    def _bandpass(self, x: FloatArray, tr: Track) -> FloatArray:
        """Causal breathing band-pass of ``x`` with the track's filter state."""
        assert tr.bp_zi is not None
        y, state = self._block(self._bp_blocks, self._sections, x, tr.bp_zi.ravel())
        tr.bp_zi = state.reshape(tr.bp_zi.shape)
        return y

    @staticmethod
    def _block(
        cache: dict[int, NDArray[np.float64]],
        sections: list[tuple[FloatArray, FloatArray]],
        x: FloatArray,
        state: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """Filter a block with ``sections`` from ``state``: (output, new state)."""
        n = x.size
        matrix = cache.get(n)
        if matrix is None:
            if len(cache) > 64:  # odd block lengths come from batch edges; keep a few
                cache.clear()
            matrix = cache[n] = block_filter_matrix(sections, n)
        out = matrix @ np.concatenate((x, state))
        return out[:n], out[n:]

    def _quality(
        self, tr: Track, ext: FloatArray, breathing: FloatArray, moving: NDArray[np.bool_]
    ) -> FloatArray:
        """Breathing-band share of the velocity power over the last ``quality_window_s``.

        Rescaled so that white velocity noise (whose share is the band-pass's noise
        bandwidth) scores 0 and a pure breathing signal 1; 0 while the body moves.
        """
        n = breathing.size
        prev = tr.last_breathing if tr.last_breathing is not None else float(breathing[0])
        tr.last_breathing = float(breathing[-1])
        w = self._quality_frames
        new = np.empty((2, n))
        np.subtract(ext[2:], ext[1:-1], out=new[0])
        new[1, 0] = breathing[0] - prev
        np.subtract(breathing[1:], breathing[:-1], out=new[1, 1:])
        new *= new
        hist = tr.q_hist if tr.q_hist is not None else np.zeros((2, w))
        if n <= w:
            # Window sums ending at each new frame: the history's total, plus what came in
            # less what left.
            window = np.cumsum(new - hist[:, :n], axis=1)
            window += hist.sum(axis=1)[:, None]
            tr.q_hist = np.concatenate((hist[:, n:], new), axis=1)
        else:
            sums = np.cumsum(np.concatenate((np.zeros((2, 1)), hist, new), axis=1), axis=1)
            window = sums[:, w + 1 :] - sums[:, 1 : n + 1]
            tr.q_hist = new[:, -w:].copy()
        ratio = window[1] / np.maximum(window[0], 1e-30)
        white = self._white
        quality: FloatArray = (ratio - white) * (1.0 / (1.0 - white))
        np.minimum(np.maximum(quality, 0.0, out=quality), 1.0, out=quality)
        quality[moving] = 0.0
        return quality
