"""The deployment of the backend as an AWS CDK app (see docs/deploy.md)."""

import os

# jsii warns on every start under Node 20; the warning is not about this code.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
