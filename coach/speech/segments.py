"""Where the speech is in a recording, and how it is packed into Whisper's 30-second windows.

Why this exists: Whisper decides from a whole 30-second window where speech ends. With a
pause of a few seconds inside a window it often ends its output at the pause, and
faster-whisper then skips to the next window: in a test answer with a 3 s pause the 11 s of
speech after it were lost. Voice-activity filtering (``vad_filter``) would avoid that but is
off, so that nothing about the pauses depends on a second model. Instead:

1. :func:`speech_regions` finds the stretches of sound by energy: 30 ms frames louder than
   :data:`QUIET_DB` (35 dB) below the loudest frame (and never quieter than -50 dBFS), joined
   when less than :data:`SPLIT_GAP_S` (1 s) apart, each padded by :data:`PAD_S` (0.2 s). A
   stretch longer than :data:`MAX_CHUNK_S` is cut at its quietest moment (energy smoothed over
   0.2 s, so the cut falls between words) 12-28 s in, the latest of equally quiet ones.
2. :func:`pack` lays the regions end to end with :data:`JOIN_S` (0.5 s) of silence between them
   and groups them into chunks of at most :data:`MAX_CHUNK_S`, each decoded in one pass. No
   window holds a long pause, and short answers still fill few windows (each window costs
   about 0.7 s of encoder time on two cores however little speech it holds).
3. :meth:`TimeMap.to_original` turns a time in the packed audio back into the recording's
   own time, so word timestamps, and the pauses between them, refer to the recording.

On a noisy recording whose quiet parts are within 35 dB of its loudest, the whole recording
is one region, cut into chunks only where it is quietest: the same as plain Whisper.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np

FRAME_S = 0.03
QUIET_DB = -35.0
FLOOR_DBFS = -50.0
SPLIT_GAP_S = 1.0
PAD_S = 0.2
JOIN_S = 0.5
MAX_CHUNK_S = 28.0
MIN_CUT_S = 12.0
SMOOTH_S = 0.2


@dataclass(frozen=True)
class Region:
    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        return self.end_s - self.start_s


def frame_rms(audio: np.ndarray, sample_rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    size = max(1, int(frame_s * sample_rate))
    count = len(audio) // size
    frames = np.asarray(audio[: count * size], dtype=np.float64).reshape(count, size)
    return np.sqrt((frames**2).mean(axis=1))


def speech_regions(audio: np.ndarray, sample_rate: int) -> list[Region]:
    """The stretches of the recording that hold sound, in order (empty for silence)."""
    rms = frame_rms(audio, sample_rate)
    if len(rms) == 0 or rms.max() <= 0:
        return []
    threshold = max(rms.max() * 10 ** (QUIET_DB / 20), 10 ** (FLOOR_DBFS / 20))
    loud = np.flatnonzero(rms > threshold)
    if len(loud) == 0:
        return []
    runs: list[tuple[int, int]] = []  # [first, last+1) frame
    first = previous = int(loud[0])
    for index in loud[1:]:
        if (index - previous - 1) * FRAME_S >= SPLIT_GAP_S:
            runs.append((first, previous + 1))
            first = int(index)
        previous = int(index)
    runs.append((first, previous + 1))

    total = len(audio) / sample_rate
    smooth = np.convolve(rms, np.ones(max(1, round(SMOOTH_S / FRAME_S))), mode="same")
    regions: list[Region] = []
    for first, end in runs:
        start_s = max(0.0, first * FRAME_S - PAD_S)
        for cut in _cuts(smooth, first, end):
            regions.append(Region(round(start_s, 3), round(cut * FRAME_S, 3)))
            start_s = cut * FRAME_S
        regions.append(Region(round(start_s, 3), round(min(total, end * FRAME_S + PAD_S), 3)))
    return regions


def _cuts(smooth: np.ndarray, first: int, end: int) -> list[int]:
    """Frames at which to cut a run longer than MAX_CHUNK_S: each at the quietest point 12-28 s into the rest."""
    cuts: list[int] = []
    longest, shortest = int(MAX_CHUNK_S / FRAME_S), int(MIN_CUT_S / FRAME_S)
    start = first
    while end - start > longest:
        window = smooth[start + shortest : start + longest]
        cut = start + shortest + len(window) - 1 - int(np.argmin(window[::-1]))  # the latest of equally quiet points
        cuts.append(cut)
        start = cut
    return cuts


@dataclass(frozen=True)
class TimeMap:
    """Pieces of the packed audio: (packed start, original start, length), in order."""

    packed_starts: tuple[float, ...]
    original_starts: tuple[float, ...]
    lengths: tuple[float, ...]

    def piece_of(self, packed_s: float) -> int:
        index = bisect.bisect_right(self.packed_starts, packed_s) - 1
        return min(max(index, 0), len(self.packed_starts) - 1)

    def to_original(self, packed_s: float, piece: int | None = None) -> float:
        """The recording's time for a packed time (clamped into the piece it falls in, or the given one)."""
        index = self.piece_of(packed_s) if piece is None else piece
        offset = min(max(packed_s - self.packed_starts[index], 0.0), self.lengths[index])
        return round(self.original_starts[index] + offset, 2)

    def word_to_original(self, start: float, end: float) -> tuple[float, float]:
        """A word's start and end, both mapped through the piece that holds the word's middle."""
        piece = self.piece_of((start + end) / 2)
        return self.to_original(start, piece), self.to_original(end, piece)


def pack(
    audio: np.ndarray, regions: list[Region], sample_rate: int
) -> tuple[np.ndarray, list[dict[str, float]], TimeMap]:
    """The regions end to end (JOIN_S apart), the chunks to decode ([{start, end}] in packed seconds), the map back."""
    join = np.zeros(int(JOIN_S * sample_rate), dtype=np.float32)
    parts: list[Any] = []
    packed_starts, original_starts, lengths = [], [], []
    chunks: list[dict[str, float]] = []
    position = 0.0
    for region in regions:
        samples = audio[int(region.start_s * sample_rate) : int(region.end_s * sample_rate)]
        length = len(samples) / sample_rate
        if chunks and position + length - chunks[-1]["start"] <= MAX_CHUNK_S:
            chunks[-1]["end"] = position + length
        else:
            chunks.append({"start": position, "end": position + length})
        packed_starts.append(position)
        original_starts.append(region.start_s)
        lengths.append(length)
        parts.extend([samples, join])
        position += length + JOIN_S
    packed = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)
    return packed, chunks, TimeMap(tuple(packed_starts), tuple(original_starts), tuple(lengths))
