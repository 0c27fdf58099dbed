"""The stage's data: KMS keys, the DynamoDB tables from the PynamoDB models, the recordings
and data-export buckets with their access-log bucket, and the secrets the code reads."""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE
from infra import names
from infra.nag import suppress
from infra.stages import StageConfig

NONCURRENT_VERSION_DAYS = 30
# Tables with no point-in-time recovery (and in no backup plan): deleting an item there must
# destroy it for good. `recording-keys` holds the per-owner recordings keys; deleting one
# is crypto-shredding, which a restorable copy of the key would undo (docs/privacy.md).
UNRECOVERABLE_TABLES = frozenset({RECORDING_KEYS_TABLE})
EXPORT_DAYS = 7  # data exports are deleted a week after they were written (P10)
ACCESS_LOG_DAYS = 365
# Every bucket: private, TLS 1.2+ only, versioned, kept when the stack goes.
_PRIVATE_BUCKET: dict[str, Any] = {
    "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
    "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    "enforce_ssl": True,
    "minimum_tls_version": 1.2,
    "versioned": True,
    "removal_policy": RemovalPolicy.RETAIN,
}


def _hash_first(key_schema: list[dict[str, str]]) -> list[Any]:
    """CloudFormation wants the HASH element before the RANGE one (PynamoDB may not)."""
    ordered = sorted(key_schema, key=lambda element: element["KeyType"])
    return [
        dynamodb.CfnTable.KeySchemaProperty(
            attribute_name=e["AttributeName"], key_type=e["KeyType"]
        )
        for e in ordered
    ]


class Storage(Construct):
    """Keys, tables, buckets and secrets. Everything that holds data is retained when the
    stack is deleted, and so are the keys that decrypt it."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageConfig) -> None:
        super().__init__(scope, construct_id)
        settings = names.code_settings(stage)
        self.data_key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/vetpet-{stage.name}-data",
            description=f"VetPet {stage.name}: tables, secrets, queues, logs, alarms",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self._allow_logs(self.data_key)
        self.recordings_key = kms.Key(
            self,
            "RecordingsKey",
            alias=settings.recordings_key_alias,
            description=f"VetPet {stage.name}: consultation recordings",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.index_names = {
            t.suffix: [i["index_name"] for i in t.schema["global_secondary_indexes"]]
            for t in names.tables(stage)
        }
        self.tables = {t.suffix: self._table(t) for t in names.tables(stage)}
        self.log_bucket = self._log_bucket(stage)
        self.recordings_bucket_name = settings.recordings_bucket
        self.recordings = s3.Bucket(
            self,
            "Recordings",
            bucket_name=settings.recordings_bucket,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.recordings_key,
            bucket_key_enabled=False,  # keeps the per-object encryption context the key checks
            **_PRIVATE_BUCKET,
            lifecycle_rules=[
                s3.LifecycleRule(
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="recordings/",
        )
        self.exports_bucket_name = settings.exports_bucket
        self.exports = s3.Bucket(
            self,
            "Exports",
            bucket_name=settings.exports_bucket,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.data_key,
            bucket_key_enabled=True,
            **_PRIVATE_BUCKET,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(EXPORT_DAYS),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="exports/",
        )
        self.signing_keys = self._secret(
            "SigningKeys",
            settings.signing_keys_secret_id,
            "ES256 token signing keys; set and rotated with `python -m infra.signing_keys`",
            generate=None,
        )
        self.code_key = self._secret(
            "CodeKey", settings.code_key_secret_id, "Key the one-time codes are hashed with", 64
        )
        self.stripe = self._secret(
            "StripeKeys",
            settings.stripe_secret_id,
            "Stripe API key and webhook signing secrets; set from the Stripe dashboard",
            generate=None,
        )
        self.liqpay = self._secret(
            "LiqPayKeys",
            settings.liqpay_secret_id,
            "LiqPay public and private keys; set from the LiqPay merchant account",
            generate=None,
        )
        self.turn_secret = self._secret(
            "TurnSecret", f"vetpet/{stage.name}/turn", "coturn's shared REST-API secret", 48
        )
        self.telegram_bot = self._secret(
            "TelegramBot",
            settings.telegram_secret_id,
            "Telegram bot token, webhook secret and bot name (JSON); set by hand at deploy",
            generate=None,
        )

    def _allow_logs(self, key: kms.Key) -> None:
        """CloudWatch Logs encrypts this stack's log groups with the data key."""
        stack = Stack.of(self)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogs",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy "*" is this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsToEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )

    def _table(self, table: names.Table) -> dynamodb.CfnTable:
        schema = table.schema
        resource = dynamodb.CfnTable(
            self,
            f"Table{table.suffix.title().replace('-', '')}",
            table_name=table.name,
            billing_mode="PAY_PER_REQUEST",
            attribute_definitions=[
                dynamodb.CfnTable.AttributeDefinitionProperty(
                    attribute_name=a["AttributeName"], attribute_type=a["AttributeType"]
                )
                for a in schema["attribute_definitions"]
            ],
            key_schema=_hash_first(schema["key_schema"]),
            global_secondary_indexes=[
                dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                    index_name=i["index_name"],
                    key_schema=_hash_first(i["key_schema"]),
                    projection=dynamodb.CfnTable.ProjectionProperty(
                        projection_type=i["projection"]["ProjectionType"],
                        non_key_attributes=i["projection"].get("NonKeyAttributes"),
                    ),
                )
                for i in schema["global_secondary_indexes"]
            ]
            or None,
            point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                point_in_time_recovery_enabled=table.suffix not in UNRECOVERABLE_TABLES
            ),
            deletion_protection_enabled=True,
            sse_specification=dynamodb.CfnTable.SSESpecificationProperty(
                sse_enabled=True, sse_type="KMS", kms_master_key_id=self.data_key.key_arn
            ),
            time_to_live_specification=(
                dynamodb.CfnTable.TimeToLiveSpecificationProperty(
                    attribute_name=table.ttl_attribute, enabled=True
                )
                if table.ttl_attribute
                else None
            ),
        )
        resource.apply_removal_policy(RemovalPolicy.RETAIN)
        if table.suffix in UNRECOVERABLE_TABLES:
            why = "crypto-shredding: a deleted recordings key must not be restorable"
            suppress(resource, ("AwsSolutions-DDB3", why), ("CKV_AWS_28", why))
        return resource

    def table_arns(self, suffixes: list[str]) -> list[str]:
        """The exact ARNs of these tables and of each of their indexes."""
        arns: list[str] = []
        for suffix in suffixes:
            table = self.tables[suffix]
            arns.append(table.attr_arn)
            for index in self.index_names[suffix]:
                arns.append(f"{table.attr_arn}/index/{index}")
        return arns

    def _log_bucket(self, stage: StageConfig) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            bucket_name=f"vetpet-{stage.name}-access-logs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # S3 log delivery cannot use SSE-KMS
            **_PRIVATE_BUCKET,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(ACCESS_LOG_DAYS),
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                )
            ],
        )
        suppress(
            bucket,
            ("AwsSolutions-S1", "This is the access-log bucket; logging it into itself loops."),
            ("CKV_AWS_18", "This is the access-log bucket; logging it into itself loops."),
            ("CKV_AWS_145", "S3 server access log delivery supports SSE-S3 only."),
        )
        return bucket

    def _secret(
        self, construct_id: str, name: str, description: str, generate: int | None
    ) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=name,
            description=description,
            encryption_key=self.data_key,
            generate_secret_string=(
                secretsmanager.SecretStringGenerator(
                    password_length=generate, exclude_punctuation=True, include_space=False
                )
                if generate
                else None
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        reason = (
            "Rotated by the documented procedure (docs/deploy.md, Secrets): a rotation "
            "Lambda cannot rotate these without the application's overlap rules."
        )
        suppress(secret, ("AwsSolutions-SMG4", reason), ("CKV2_AWS_57", reason))
        return secret
