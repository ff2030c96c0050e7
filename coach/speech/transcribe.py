"""Turning a recording into words with timestamps, on the CPU, with Whisper through faster-whisper.

Decisions:

- The model loads lazily, on the first :meth:`Transcriber.load` or ``transcribe``, under a lock,
  so the page can warm it in a background thread (:meth:`Transcriber.start_loading`) while a
  request that arrives meanwhile waits for the same load instead of starting a second one.
  It runs with ``device="cpu"``, ``compute_type="int8"`` and ``cpu_threads`` = the coach's threads.
  Transcriptions run one at a time (a second lock): on two cores a parallel one would only make
  both slower and double the memory.
- Bad audio is refused with an :class:`~coach.errors.InputError` that says what to do, before
  the model runs: a missing or 0-byte file, a file that is not audio FFmpeg can decode, a
  recording longer than :data:`MAX_SECONDS` (10 minutes: an answer should take one to two; the
  length is read from the container first, so a long file is refused without decoding it),
  and silence (no 50 ms stretch louder than :data:`SILENCE_DBFS`). Noise in which Whisper finds
  no believable words gets the same kind of message after the model ran.
- The speech is found by energy and packed into chunks of at most 28 s without long pauses
  (see :mod:`coach.speech.segments`: a pause inside a window made Whisper drop the speech after
  it). The chunks are decoded by faster-whisper's ``BatchedInferencePipeline`` with
  ``clip_timestamps``: one pass per chunk, at temperature 0 with beam search, no fallback to
  sampling, so the time is bounded (noise once took 30 s of retries with the sequential
  decoder) and no chunk ends in a leftover sliver of audio that Whisper fills with made-up
  words. Word times are mapped back to the recording's own time.
- A segment is dropped when its average log-probability is below -1 (Whisper's own mark of a
  failed decode), or when Whisper thinks there is probably no speech (no-speech probability
  above 0.6) and is unsure of the words (log-probability below -0.5).
- The language is detected first. English is transcribed with :data:`FILLER_PROMPT` as the
  initial prompt of every chunk: Whisper drops "um" and "uh" without one (faster-whisper issue
  901) and keeps them with it. Another language is transcribed as spoken, without that English
  prompt (it made Whisper invent English words there), and :attr:`Transcript.note` says so.
- ``word_timestamps=True`` and ``vad_filter=False``: the delivery metrics need every pause.
  Nothing is downloaded: faster-whisper gets a local folder (see :mod:`coach.speech.asr_model`)
  and ``HF_HUB_OFFLINE`` is set before it loads.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.config import Settings
from coach.errors import InputError, ModelError
from coach.speech.segments import frame_rms, pack, speech_regions

SAMPLE_RATE = 16_000  # what Whisper's feature extractor expects; decode_audio resamples to it
MAX_SECONDS = 10 * 60.0
SILENCE_DBFS = -50.0  # louder than a quiet room through a laptop microphone, well below speech (-35 to -15)
BEAM_SIZE = 5
BATCH_SIZE = 2  # chunks decoded together
MIN_LOG_PROB = -1.0  # Whisper's own threshold for a failed decode
NO_SPEECH_PROB = 0.6  # with UNSURE_LOG_PROB: probably no speech, and the words are a guess
UNSURE_LOG_PROB = -0.5
FILLER_PROMPT = "Um, so, uh, I think, like, you know, um, I was, uh, working on it, and, er, hmm, it went well."
LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "sv": "Swedish",
    "tr": "Turkish",
    "ar": "Arabic",
    "hi": "Hindi",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
}

Word = tuple[str, float, float]  # (word as Whisper wrote it, start s, end s)


@dataclass(frozen=True)
class Transcript:
    """What was said: the text, each word with its start and end in seconds from the recording's start."""

    text: str
    words: list[Word]
    language: str  # ISO 639-1 code Whisper detected, e.g. "en"
    language_probability: float
    duration_s: float  # the whole recording, silence included
    note: str = ""  # for the user, e.g. that the speech was not English
    seconds_taken: float = field(default=0.0, compare=False)  # decoding and transcription, not the model load


class Transcriber:
    """One Whisper model for the process, loaded on first use; ``transcribe`` is safe from any thread."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model_dir: Path | None = None,
        cpu_threads: int | None = None,
        max_seconds: float = MAX_SECONDS,
    ) -> None:
        self._settings = settings
        self._model_dir = model_dir
        self._cpu_threads = cpu_threads
        self.max_seconds = max_seconds
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._model: Any = None
        self._pipeline: Any = None
        self.load_seconds: float | None = None
        self.load_error: Exception | None = None  # what the last background load raised

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> Any:
        """The faster-whisper model, loaded now unless it already is (a ModelError says what to do)."""
        with self._load_lock:
            if self._model is not None:
                return self._model
            started = time.perf_counter()
            settings = self._settings or Settings.load()
            from coach.speech.asr_model import asr_model_path, check_asr_folder

            folder = check_asr_folder(self._model_dir) if self._model_dir is not None else asr_model_path(settings)
            threads = self._cpu_threads if self._cpu_threads is not None else settings.n_threads
            from coach.offline import go_offline

            go_offline()  # before faster-whisper imports huggingface_hub and onnxruntime
            try:
                from faster_whisper import WhisperModel
            except ImportError as err:
                raise ModelError("faster-whisper is not installed.", "Run `make run` to install everything.") from err
            try:
                self._model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads)
            except Exception as err:  # ctranslate2 raises RuntimeError/ValueError for a bad folder
                raise ModelError(
                    f"The speech model in {folder} cannot be loaded ({err}).",
                    "Point --asr-model at a Whisper folder converted for faster-whisper, or unset it.",
                ) from None
            self.load_seconds = time.perf_counter() - started
            self.load_error = None
            return self._model

    def start_loading(self) -> threading.Thread:
        """Load in a daemon thread (for the page's start); an error is kept in ``load_error`` and raised on use."""

        def run() -> None:
            try:
                self.load()
            except Exception as err:  # raised again, with its message, when someone transcribes
                self.load_error = err

        thread = threading.Thread(target=run, name="speech-model-load", daemon=True)
        thread.start()
        return thread

    def transcribe(self, path: str | Path) -> Transcript:
        """The words in the recording at path; an InputError with a user-facing message for bad audio."""
        started = time.perf_counter()
        audio = read_audio(Path(path), self.max_seconds)
        duration = len(audio) / SAMPLE_RATE
        regions = speech_regions(audio, SAMPLE_RATE)
        if not regions:
            raise _no_speech()
        packed, chunks, time_map = pack(audio, regions, SAMPLE_RATE)
        prepared = time.perf_counter() - started
        model = self.load()
        started = time.perf_counter()
        words: list[Word] = []
        texts: list[str] = []
        with self._run_lock:
            language, probability = _detect_language(model, packed)
            if self._pipeline is None:
                from faster_whisper import BatchedInferencePipeline

                self._pipeline = BatchedInferencePipeline(model)
            try:
                segments, _info = self._pipeline.transcribe(
                    packed,
                    language=language,
                    initial_prompt=FILLER_PROMPT if language == "en" else None,
                    word_timestamps=True,
                    vad_filter=False,
                    clip_timestamps=chunks,
                    beam_size=BEAM_SIZE,
                    batch_size=BATCH_SIZE,
                )
                for segment in segments:  # a generator: decoding happens here
                    if not _believable(segment):
                        continue
                    texts.append(segment.text.strip())
                    for w in segment.words or []:
                        if any(ch.isalnum() for ch in w.word):
                            start, end = time_map.word_to_original(float(w.start), float(w.end))
                            words.append((w.word.strip(), start, end))
            except RuntimeError as err:  # CTranslate2's errors, e.g. out of memory
                raise ModelError(
                    f"The speech model failed while transcribing ({err}).", "Try again, or type your answer."
                ) from None
        if not words:
            raise _no_speech()
        return Transcript(
            text=" ".join(t for t in texts if t),
            words=words,
            language=language,
            language_probability=round(probability, 3),
            duration_s=round(duration, 2),
            note=language_note(language),
            seconds_taken=prepared + time.perf_counter() - started,
        )


def _believable(segment: Any) -> bool:
    """False for what Whisper makes up from noise: a failed decode, or likely no speech and not confident."""
    if segment.avg_logprob < MIN_LOG_PROB:
        return False
    return not (segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < UNSURE_LOG_PROB)


def _no_speech() -> InputError:
    return InputError(
        "No speech was recognised in the recording.",
        "Speak closer to the microphone, away from noise, and try again; or type your answer.",
    )


def language_note(language: str) -> str:
    if language == "en":
        return ""
    name = LANGUAGE_NAMES.get(language, f"language code '{language}'")
    return (
        f"The recording sounds like {name}, not English: it was transcribed as spoken, "
        "but the coach's analysis expects English."
    )


def _detect_language(model: Any, audio: Any) -> tuple[str, float]:
    if not model.model.is_multilingual:  # an English-only (.en) model
        return "en", 1.0
    language, probability, _all = model.detect_language(audio)
    return language, float(probability)


def read_audio(path: Path, max_seconds: float = MAX_SECONDS) -> Any:
    """The recording as 16 kHz mono float32 samples, or an InputError saying why it cannot be used."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"The recording {path.name} does not exist.", "Record or upload it again.") from None
    except OSError as err:
        raise InputError(
            f"The recording {path.name} cannot be read ({err.strerror}).", "Check its permissions."
        ) from None
    if size == 0:
        raise InputError(f"The recording {path.name} is empty (0 bytes).", "Record your answer again.")
    too_long = InputError(
        f"The recording {path.name} is longer than {_minutes(max_seconds)}, the most that is transcribed.",
        "An answer should take one to two minutes: record a shorter one, or cut the file.",
    )
    import av
    from faster_whisper.audio import decode_audio

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(f"{path.name} holds no sound.", "Upload a recording of your answer (WAV, MP3, ...).")
            if container.duration is not None and container.duration / 1_000_000 > max_seconds + 1:
                raise too_long
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except InputError:
        raise
    except Exception:  # av's FFmpegError family, and whatever a broken stream raises
        raise InputError(
            f"{path.name} cannot be read as audio: it is damaged or in a format that is not supported.",
            "Upload a WAV, MP3, OGG, WebM or M4A recording, or record again.",
        ) from None
    if len(audio) > max_seconds * SAMPLE_RATE + SAMPLE_RATE:
        raise too_long
    if len(audio) == 0 or loudest_dbfs(audio) < SILENCE_DBFS:
        raise InputError(
            f"The recording {path.name} is silent.",
            "Check that the right microphone is selected and not muted, then record again.",
        )
    return audio


def loudest_dbfs(audio: Any, window_s: float = 0.05) -> float:
    """The level of the loudest 50 ms stretch, in dB below full scale (-inf for digital silence)."""
    rms = frame_rms(audio, SAMPLE_RATE, window_s)
    loudest = float(rms.max()) if len(rms) else 0.0
    return 20 * math.log10(loudest) if loudest > 0 else -math.inf


def _minutes(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"
