"""One IAM role per function, naming exact resources: the function's tables and each of
their indexes, its secrets, the data key (only through the services that use it), its own
log group and queue. `*` only for the actions in WILDCARD_ALLOWED."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.consent.iam import LEDGER_TABLE, deny_ledger_mutations
from chalicelib.store.append_only import deny_item_mutations
from infra.nag import suppress
from infra.packaging import (
    API_FUNCTION,
    CAMPAIGN_DISPATCH,
    ERASURE,
    EXPORTS,
    HOLD_EXPIRY,
    NOTIFICATIONS,
    PAYMENT_HOUSEKEEPING,
    PRIVACY_REQUESTS_OVERDUE,
    REMINDERS,
    RETENTION,
)
from infra.stages import StageConfig
from infra.storage import Storage

TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
]
# What each scheduled function reaches (its job module and what that calls); the API
# function reaches every table and every secret. A new schedule must be listed here.
_SENDS_MAIL = ["outbox", "users", "consents", "processing-restrictions"]  # consent at send time
# A booking notice or reminder: the names it carries, and each chat the recipient linked.
_TELLS = ["bookings", "consultants", "pets", "chat-links", *_SENDS_MAIL]
# Every table that holds an item of a user: export reads them all (the privacy holders
# of `chalicelib/privacy/registry.py`), erasure changes them all.
_PERSONAL = [
    "users",
    "email-claims",
    "auth-codes",
    "login-challenges",
    "sessions",
    "login-failures",
    "social-links",
    "consultants",
    "slot-claims",
    "pets",
    "bookings",
    "booking-ledgers",
    "rooms",
    "questions",
    "question-messages",
    "outbox",
    "payments",
    "consents",
    LEDGER_TABLE,
    "policy-acknowledgements",
    "processing-restrictions",
    "campaigns",
    "chat-links",
    "chat-link-tokens",
    "exports",
    "recordings",
    "recording-keys",  # erasure deletes the owner's key: crypto-shredding
    "recording-grants",
    "recording-consents",
    "privacy-requests",
    "minor-reports",
    "disclosures",
    "access-log",
]
_INLINE_TABLES = 15  # more tables than this, with their indexes, overflow an inline policy
JOB_TABLES = {
    HOLD_EXPIRY: ["booking-ledgers", "slot-claims", *_TELLS],
    # Its retries also deliver queued account e-mails (a code issued at delivery).
    NOTIFICATIONS: ["auth-codes", *_TELLS],
    REMINDERS: ["job-checkpoints", *_TELLS],
    RETENTION: [
        "job-checkpoints",
        "recordings",
        "recording-grants",
        "recording-consents",
        "exports",
        "payments",
        "erasures",
        "bookings",
        "rooms",
        "questions",
        "question-messages",
        "slot-claims",
        "auth-codes",
        "chat-link-tokens",
        "outbox",
        "login-challenges",
        "sessions",
        "login-failures",
        "social-nonces",
    ],
    CAMPAIGN_DISPATCH: ["campaigns", "consent-ledger", "policy-versions", *_SENDS_MAIL],
    PAYMENT_HOUSEKEEPING: ["payments", "payment-events", "bookings"],
    # Cancels what is still to come (notices: consent checks at send time), then erases.
    ERASURE: ["erasures", "policy-versions", *_PERSONAL],
    EXPORTS: _PERSONAL,
    PRIVACY_REQUESTS_OVERDUE: ["privacy-requests"],
}
# Functions that remove recordings for good (every object version): the erasure job (an
# owner's recordings) and the retention sweep. The API never deletes one.
REMOVES_RECORDINGS = {RETENTION, ERASURE}
# Append-only for the API: the access log and the disclosure trail are only ever appended
# to by requests; only the erasure job (its own role) removes or unlinks a user's items.
API_APPEND_ONLY = {"access-log": "AccessLogAppendOnly", "disclosures": "DisclosureTrailAppendOnly"}
JOB_SECRETS = {
    HOLD_EXPIRY: ["telegram"],  # the Bot API token, for the chat copy of a notice
    NOTIFICATIONS: ["telegram", "code-key"],
    REMINDERS: ["telegram"],
    RETENTION: [],
    CAMPAIGN_DISPATCH: ["signing-keys"],  # signed receipts
    PAYMENT_HOUSEKEEPING: ["stripe", "liqpay"],  # refunds through the processors
    ERASURE: ["telegram", "stripe", "liqpay"],  # cancellation notices and refunds
    EXPORTS: [],
    PRIVACY_REQUESTS_OVERDUE: [],
}
# The one role allowed to delete the append-only consent ledger: erasure (P10).
LEDGER_ERASER = ERASURE
# What each function may do in the exports bucket: the API signs download links, the
# exports job writes documents, erasure removes every version of them.
EXPORT_OBJECT_ACTIONS = {
    API_FUNCTION: ["s3:GetObject"],
    EXPORTS: ["s3:PutObject"],
    ERASURE: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
    RETENTION: ["s3:DeleteObject", "s3:DeleteObjectVersion"],  # exports past retention
}
EXPORT_BUCKET_ACTIONS = {
    ERASURE: ["s3:ListBucketVersions", "s3:ListBucket"],
    RETENTION: ["s3:ListBucketVersions", "s3:ListBucket"],
}

# The IAM actions a statement may grant on `*`, each with the reason: the service has no
# resource-level permission for it (or CDK's ECS construct grants it so, as AWS documents
# for the container-instance role). Tests hold every identity policy to this list; in a
# KMS key policy `*` means the key itself.
WILDCARD_ALLOWED = {
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions.",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions.",
    "sns:Publish": "SMS straight to a phone number has no topic ARN to name.",
    "ecr:GetAuthorizationToken": "ECR's registry login has no resource-level permissions.",
    "ecs:DiscoverPollEndpoint": "ECS agent endpoint discovery has no resource-level permissions.",
    "ecs:Poll": "ECS container-instance role (CDK's construct, AWS's managed role).",
    "ecs:StartTelemetrySession": "ECS container-instance role (CDK's construct).",
    "logs:CreateLogStream": "ECS container-instance role as CDK grants it; Lambda roles "
    "name their log group.",
    "logs:PutLogEvents": "ECS container-instance role as CDK grants it; Lambda roles "
    "name their log group.",
}


def _grant_exports(role: iam.Role, logical_id: str, storage: Storage) -> None:
    """The function's share of the exports bucket, and the data key only through S3."""
    actions = EXPORT_OBJECT_ACTIONS.get(logical_id)
    if not actions:
        return
    role.add_to_policy(
        iam.PolicyStatement(
            sid="ExportObjects",
            actions=actions,
            resources=[storage.exports.arn_for_objects("exports/*")],
        )
    )
    listing = EXPORT_BUCKET_ACTIONS.get(logical_id)
    if listing:
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ExportListing", actions=listing, resources=[storage.exports.bucket_arn]
            )
        )
    region = Stack.of(role).region
    role.add_to_policy(
        iam.PolicyStatement(
            sid="DataKeyThroughS3",
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[storage.data_key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        )
    )


def function_role(
    scope: Construct,
    logical_id: str,
    stage: StageConfig,
    storage: Storage,
    log_group: logs.LogGroup,
    dead_letters: sqs.IQueue | None,
) -> iam.Role:
    """The role of one function: its tables and indexes, secrets, key, log group, queue."""
    role = iam.Role(
        scope,
        f"{logical_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"VetPet {stage.name} {logical_id}",
    )
    stack = Stack.of(scope)
    is_api = logical_id == API_FUNCTION
    suffixes = list(storage.tables) if is_api else JOB_TABLES[logical_id]
    tables = iam.PolicyStatement(
        sid="Tables", actions=TABLE_ACTIONS, resources=storage.table_arns(suffixes)
    )
    # Many tables with their indexes (the API; export, erasure and retention) are too
    # large to share the inline policy's size limit.
    if is_api or len(suffixes) > _INLINE_TABLES:
        iam.ManagedPolicy(role, "Tables", statements=[tables], roles=[role])
    else:
        role.add_to_policy(tables)
    if LEDGER_TABLE in suffixes and logical_id != LEDGER_ERASER:  # append-only for the code too
        role.add_to_policy(
            iam.PolicyStatement.from_json(
                deny_ledger_mutations(storage.tables[LEDGER_TABLE].attr_arn)
            )
        )
    if is_api:
        for table, sid in API_APPEND_ONLY.items():
            arn = storage.tables[table].attr_arn
            role.add_to_policy(iam.PolicyStatement.from_json(deny_item_mutations(sid, arn)))
    by_name = {
        "signing-keys": storage.signing_keys,
        "code-key": storage.code_key,
        "telegram": storage.telegram_bot,
        "stripe": storage.stripe,
        "liqpay": storage.liqpay,
    }
    secrets = list(by_name.values()) if is_api else [by_name[n] for n in JOB_SECRETS[logical_id]]
    if secrets:
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Secrets",
                actions=["secretsmanager:GetSecretValue"],
                resources=[s.secret_arn for s in secrets],
            )
        )
    _grant_exports(role, logical_id, storage)
    role.add_to_policy(
        iam.PolicyStatement(
            sid="DataKeyThroughServices",
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            resources=[storage.data_key.key_arn],
            conditions={
                "StringEquals": {
                    "kms:ViaService": [
                        f"dynamodb.{stack.region}.amazonaws.com",
                        f"secretsmanager.{stack.region}.amazonaws.com",
                        f"sqs.{stack.region}.amazonaws.com",
                    ]
                }
            },
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="Email",
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resources=[
                stack.format_arn(
                    service="ses",
                    resource="identity",
                    resource_name=stage.email_sender.split("@", 1)[1],
                )
            ],
            conditions={"StringEquals": {"ses:FromAddress": stage.email_sender}},
        )
    )
    if logical_id in REMOVES_RECORDINGS:
        role.add_to_policy(
            iam.PolicyStatement(
                sid="RecordingsRemoval",
                actions=["s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"],
                resources=[
                    storage.recordings.bucket_arn,
                    storage.recordings.arn_for_objects("*"),
                ],
            )
        )
    if is_api:  # SMS codes are sent by the API only; the outbox sends e-mail
        role.add_to_policy(iam.PolicyStatement(sid="Sms", actions=["sns:Publish"], resources=["*"]))
    role.add_to_policy(
        iam.PolicyStatement(
            sid="Tracing",
            actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            resources=["*"],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="Logs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        )
    )
    if dead_letters is not None:
        role.add_to_policy(
            iam.PolicyStatement(
                sid="DeadLetters",
                actions=["sqs:SendMessage"],
                resources=[dead_letters.queue_arn],
            )
        )
    wildcards = "Wildcards only where AWS requires them: " + "; ".join(
        f"{a}: {why}" for a, why in WILDCARD_ALLOWED.items()
    )
    suppress(role, ("AwsSolutions-IAM5", wildcards), ("CKV_AWS_111", wildcards))
    return role
