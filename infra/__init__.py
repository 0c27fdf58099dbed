"""Deployment as code: CloudFormation resources merged into `chalice package`'s template."""
