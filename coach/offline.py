"""Make sure no library phones home: called by every entry point before heavy imports.

The variables are put in this process's environment, so every child process (the
ONNX export, a spawned worker) inherits them too. onnxruntime's built-in telemetry
(1DS, which looked up mobile.events.data.microsoft.com every few seconds) reads
ORT_DISABLE_TELEMETRY when it starts; ``disable_telemetry_events()`` alone did not
stop it. The offline test traps every process's DNS queries and packets to check.
"""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma
    "GRADIO_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime (embeddings, and faster-whisper's voice detection)
}


def go_offline() -> None:
    """Set the variables that keep Hugging Face, Chroma and Gradio off the network."""
    os.environ.update(OFFLINE_ENV)
