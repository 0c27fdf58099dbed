"""Set or rotate a stage's ES256 token signing keys in the secret the stack created.

    python -m infra.signing_keys init --stage prod     # first deploy: one active key
    python -m infra.signing_keys rotate --stage prod   # new active key, previous kept

Rotation keeps the previous key (inactive) so tokens it signed still verify until they
expire; run `rotate` again after the refresh-token lifetime to drop it."""

from __future__ import annotations

import argparse
import json

import boto3

from chalicelib.accounts.keys import generate_key_document
from infra.names import code_settings
from infra.stages import DEPLOYED_STAGES, stage_config


def rotated(current: str | None) -> str:
    """A key document with a fresh active key; the newest earlier key stays, inactive."""
    fresh = json.loads(generate_key_document())["keys"]
    previous = json.loads(current)["keys"] if current else []
    kept = [{**k, "active": False} for k in previous if k.get("active")][:1]
    return json.dumps({"keys": fresh + kept})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("init", "rotate"))
    parser.add_argument("--stage", choices=DEPLOYED_STAGES, required=True)
    args = parser.parse_args()
    secret_id = code_settings(stage_config(args.stage)).signing_keys_secret_id
    client = boto3.client("secretsmanager")
    current = client.get_secret_value(SecretId=secret_id)["SecretString"]
    try:
        json.loads(current)["keys"]
        has_keys = True
    except (ValueError, KeyError, TypeError):
        has_keys = False  # still the random placeholder the stack created
    if args.action == "init" and has_keys:
        raise SystemExit(f"{secret_id} already holds keys; use rotate")
    client.put_secret_value(SecretId=secret_id, SecretString=rotated(current if has_keys else None))
    print(f"{secret_id}: {args.action} done")


if __name__ == "__main__":
    main()
