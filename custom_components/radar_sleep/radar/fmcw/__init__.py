r"""Raw 60-GHz FMCW radar (Infineon BGT60TR13C-style) signal processing, capture and replay.

A raw FMCW radar gives no vitals by itself: each frame is an array ``RX x chirps x samples``
of beat (IF) samples. This package turns batches of such frames into one
:class:`~...contracts.VitalsFrame` per frame, for every person in view, with the signal chain
of the mm-wave vital-signs literature [1]_ [2]_:

1. **Range profiles** (:func:`.dsp.range_profiles`): average the chirps of a frame, remove the
   DC of each chirp, Hann window, FFT along the samples (the positive-frequency half for the
   BGT60TR13C's real ADC samples) and keep the range bins of interest. Averaging before the
   FFT is exact (window and FFT are linear) and saves ``chirps - 1`` FFTs per frame.
2. **Detection** (:func:`.detection.detect_targets`): over the last ``detection_window_s``
   seconds, the static clutter (furniture, walls, the chip's TX-RX leakage) is removed by
   subtracting each bin's mean over the window; the remaining energy (its variance, summed
   over RX) peaks at whatever moves or breathes. Peaks more than ``detection_threshold_db``
   above the median (the noise floor) with a minimum range separation are targets. Two people
   at about the same range but at different angles fall in the same bin; with two horizontally
   spaced antennas no beamformer resolves 20 degrees (the beam of a 2-element, half-wavelength
   array is ~60 degrees wide). A bin whose 2 x 2 spatial covariance has two significant
   eigenvalues is therefore separated blindly (:func:`.dsp.circularity_spectrum`): one chest's
   echo traces a circle in the I/Q plane, two chests' echoes together do not, so the null
   angles at which a null-steering beamformer's output becomes a circle are the two people's
   angles, and each null-steering beamformer isolates the other person [5]_. One chest is an
   extended reflector whose parts may look like two such sources; two sources less than
   ``body_width_m`` apart sideways whose displacements move together (correlated) stay one
   target (:func:`.detection.detect_in_window`).
3. **Tracking** (:mod:`.tracker`) across updates by range and angle, with ids that persist.
4. **Phase demodulation** per target (:class:`.processor.FmcwProcessor`): the complex range
   bin of the target (coherently combined over RX with the principal eigenvector of its
   covariance, or the separating beamformer) moves on a circle around a static offset (clutter
   in the same bin, the body's static reflection). The offset is estimated by an algebraic
   circle fit (Pratt [4]_, or Kasa [3]_) over the last ``fit_window_s`` seconds and removed,
   then the arctangent demodulation [2]_ gives the phase, which is unwrapped (continuous
   across batches) and converted to chest displacement, :math:`d =
   -\lambda_c\Delta\varphi/(4\pi)` (the IF phase grows with range; displacement towards the
   radar is positive; the phase of a Hann-windowed bin refers to the centre of the sweep, so
   :math:`\lambda_c` is the centre wavelength).
5. **Outputs** per frame: the breathing band-pass (causal Butterworth, default 0.1-0.6 Hz,
   state kept across batches, restarted when a body movement ends so that the movement's
   artefact does not ring on) of the displacement; a **movement index** in 0..1 from the RMS
   of the displacement's second difference (the frame-to-frame change of the phase derivative,
   a high-pass that leaves breathing and heartbeat near zero and jumps when body movement
   scrambles the phase); a **signal quality** in 0..1, the breathing-band share of the
   displacement-velocity power over the last ``quality_window_s`` seconds in excess of the
   share white noise would have (0 while the body moves); the **distance** of the bin refined
   by parabolic interpolation of the log energy; the **angle of arrival** :math:`\theta =
   \arcsin(\Delta\varphi\,\lambda/(2\pi d))` from the phase difference of the two horizontal
   antennas at the target bin (of the clutter-free covariance), positive to the radar's right.
   Rates are left to the sleep pipeline (``breath_rate_bpm`` is ``None``).

Modules: :mod:`.config` (acquisition and processing settings), :mod:`.dsp` (range FFT, DC
removal, circle fits, phase demodulation, the breathing band-pass design), :mod:`.detection`,
:mod:`.tracker`, :mod:`.processor` (the streaming chain: demodulation, movement, quality),
:mod:`.capture` (the ``.npz`` capture format), :mod:`.infineon` (recording folders of Infineon's
Radar SDK, ifxdaq and Radar Fusion GUI, read as captures), :mod:`.replay` (a capture as a live
source) and
:mod:`.simulate` (an IF-level simulator of the same radar, the test bench of the chain).

References
----------
.. [1] Alizadeh M, Shaker G, De Almeida JCM, Morita PP, Safavi-Naeini S. Remote monitoring of
   human vital signs using mm-wave FMCW radar. *IEEE Access* 7:54958-54968, 2019.
.. [2] Wang G, Muñoz-Ferreras JM, Gu C, Li C, Gómez-García R. Application of linear-frequency-
   modulated continuous-wave (LFMCW) radars for tracking of vital signs. *IEEE Trans Microw
   Theory Tech* 62(6):1387-1399, 2014.
.. [3] Kåsa I. A circle fitting procedure and its error analysis. *IEEE Trans Instrum Meas*
   25(1):8-14, 1976.
.. [4] Pratt V. Direct least-squares fitting of algebraic surfaces. *Comput Graph (SIGGRAPH)*
   21(4):145-152, 1987; Chernov N, Lesort C. Least squares fitting of circles. *J Math
   Imaging Vis* 23:239-252, 2005.
.. [5] van der Veen AJ, Paulraj A. An analytical constant modulus algorithm. *IEEE Trans
   Signal Process* 44(5):1136-1155, 1996.

"""

from __future__ import annotations

from ...contracts import MULTI_TARGET_WAVEFORM_CAPABILITIES

FAMILY = "fmcw"
"""Device family name (as in :class:`~..protocol.DecodedMessage`)."""

CAPABILITIES = MULTI_TARGET_WAVEFORM_CAPABILITIES
"""What the raw-FMCW signal chain delivers (rates are computed by the sleep pipeline)."""
