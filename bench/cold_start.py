"""Cold start: interpreter start to the first answered `GET /v1/health` (which reads the
store), through the VetPet app, against the moto server; and the same for the floor of
this stack, a one-route Chalice app making the same DynamoDB call with a plain boto3
client. Fresh interpreters, median of N runs each, interleaved. The last line is the ratio.

Both sides run from compiled bytecode, as a deployment package should ship it (Lambda's
file system is read-only, so a package without .pyc files compiles every module on every
cold start): the script byte-compiles the app and the floor before measuring.

    python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVENT = (
    "{'resource': '/v1/health', 'path': '/v1/health', 'httpMethod': 'GET', 'headers': {},"
    " 'multiValueHeaders': {}, 'queryStringParameters': None,"
    " 'multiValueQueryStringParameters': None, 'pathParameters': None, 'stageVariables': None,"
    " 'requestContext': {'resourcePath': '/v1/health', 'httpMethod': 'GET',"
    " 'requestId': 'bench', 'path': '/v1/health', 'identity': {'sourceIp': '127.0.0.1'}},"
    " 'body': None, 'isBase64Encoded': False}"
)

# As the Lambda package would find it: the dev venv also holds the media container's
# packages (aiortc brings pyOpenSSL, which botocore imports when present); both sides skip it.
LAMBDA_ONLY = "import sys; sys.modules['OpenSSL'] = None"

VETPET = f"""
{LAMBDA_ONLY}
import app
response = app.app({EVENT}, None)
assert response['statusCode'] == 200, response
"""

BASELINE_APP = """
import boto3
from chalice import Chalice

app = Chalice(app_name='floor')


@app.route('/v1/health')
def health():
    boto3.client('dynamodb').describe_table(TableName=TABLE)
    return {'status': 'ok'}
"""

BASELINE = f"""
{LAMBDA_ONLY}
import floor_app
response = floor_app.app({EVENT}, None)
assert response['statusCode'] == 200, response
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _time(script: str, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = max(10, parser.parse_args().runs)

    from local.stage import Ports, apply

    env = {**os.environ, **apply(Ports(aws=_free_port()))}
    env.pop("PYTHONPATH", None)
    from chalicelib.accounts.models import User
    from local.embedded_aws import bootstrap, start_moto

    moto = start_moto(int(env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]))
    bootstrap()
    with tempfile.TemporaryDirectory() as floor_dir:
        app_source = BASELINE_APP.replace("TABLE", repr(User.Meta.table_name))
        (Path(floor_dir) / "floor_app.py").write_text(app_source)
        for source in (ROOT / "app.py", Path(floor_dir) / "floor_app.py"):
            compileall.compile_file(source, quiet=1)
        compileall.compile_dir(ROOT / "chalicelib", quiet=1)
        vetpet, floor = [], []
        for _ in range(runs):
            vetpet.append(_time(VETPET, ROOT, env))
            floor.append(_time(BASELINE, Path(floor_dir), env))
    moto.stop()
    ours, base = statistics.median(vetpet), statistics.median(floor)
    print(f"runs per side       {runs}")
    print(f"vetpet app   median {ours * 1000:7.1f} ms  (min {min(vetpet) * 1000:.1f})")
    print(f"chalice+boto3 floor {base * 1000:7.1f} ms  (min {min(floor) * 1000:.1f})")
    print(f"ratio {ours / base:.2f}")


if __name__ == "__main__":
    main()
