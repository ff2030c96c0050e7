"""Spoken answers: the speech model's files, transcription and delivery metrics.

Nothing is imported here. ``coach.speech.asr_model`` finds (and joins once) the Whisper folder,
``coach.speech.segments`` finds the speech in a recording and packs it into Whisper's windows,
``coach.speech.transcribe`` loads faster-whisper on first use and turns a recording into words
with timestamps, and ``coach.speech.delivery`` computes pace, pauses and fillers from them.
"""
