"""The media image (media/Dockerfile) holds every API module the media server imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from infra.media import shared_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_copies_every_chalicelib_module_media_imports() -> None:
    code = (
        "import json, sys\n"
        "import media.__main__, media.playback, media.recording_sink\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('chalicelib'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    needed = set()
    for module in imported:
        path = module.replace(".", "/")
        needed.add(f"{path}/__init__.py" if (ROOT / path).is_dir() else f"{path}.py")
    assert needed <= set(shared_files())


def test_the_image_pins_what_the_shared_modules_need() -> None:
    pins = (ROOT / "media" / "requirements.txt").read_text()
    assert "aws-encryption-sdk==" in pins
    assert "pynamodb==" in pins
