"""Importing the models reads no settings; table names follow the settings of first use."""

from __future__ import annotations

import os
import subprocess
import sys


def test_importing_every_model_reads_no_settings_and_names_follow_the_stage() -> None:
    script = (
        "import os\n"
        "from chalicelib import config\n"
        "from chalicelib.store.tables import all_models\n"
        "models = all_models()\n"
        "assert config.get_settings.cache_info().misses == 0, 'settings read at import'\n"
        "os.environ['VETPET_TABLE_PREFIX'] = 'late-'\n"
        "print(sorted(m.Meta.table_name for m in models)[0])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "VETPET_TABLE_PREFIX"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("late-")
