"""Media: the SFU (`media/Dockerfile`) and coturn as ECS services on EC2 (Graviton) with
host networking, so their UDP ports are the instance's own. One network load balancer per
public name terminates TLS: `media.<zone>` (signalling, HTTPS to the SFU) and
`turn.<zone>` (TURN over TLS on 443; plain TURN on UDP 3478 passes through).

All SFU nodes share the one signalling name: a node relays a room's WebSocket to the node
the room is placed on, over the VPC (its private IP, same port), and finds its public and
private IPv4 itself through IMDSv2 (host networking: the metadata service is one hop away,
so the launch template's default hop limit of 1 reaches it).

Scale-in: the SFU service scales on CPU. A node with live rooms turns on ECS task scale-in
protection (the agent's `$ECS_AGENT_URI/task-protection/v1/state`), so ECS never stops it,
and the capacity provider's managed termination protection keeps its instance until the
task is gone. docs/deploy.md describes the mechanism."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from chalicelib.media_nodes.contract import (
    BOOKINGS_TABLE,
    MEDIA_NODES_TABLE,
    RECORDING_CONSENTS_TABLE,
    RECORDING_GRANTS_TABLE,
    RECORDING_KEYS_TABLE,
    RECORDING_PURPOSE,
    RECORDINGS_TABLE,
    ROOM_PLACEMENTS_TABLE,
    SESSIONS_TABLE,
)
from infra.api import ROOT
from infra.log_groups import log_group
from infra.nag import suppress
from infra.stages import StageConfig
from infra.storage import Storage

MEDIA_PORT = 8090
TURN_PORT = 3478
TURN_RELAY_PORTS = (49152, 65535)
COTURN_IMAGE = "coturn/coturn:4.6.3"
# Flow and container logs expire with their retention; none outlives the stack.
OPERATIONAL_LOGS = RemovalPolicy.DESTROY
# Peers a TURN allocation may never reach: "this" network, private, carrier NAT,
# loopback, link-local (the instance metadata service), benchmarking, and their IPv6 kin.
DENIED_PEER_RANGES = [
    "0.0.0.0-0.255.255.255",
    "10.0.0.0-10.255.255.255",
    "100.64.0.0-100.127.255.255",
    "127.0.0.0-127.255.255.255",
    "169.254.0.0-169.254.255.255",
    "172.16.0.0-172.31.255.255",
    "192.0.0.0-192.0.0.255",
    "192.168.0.0-192.168.255.255",
    "198.18.0.0-198.19.255.255",
    "::1",
    "64:ff9b::-64:ff9b::ffff:ffff",
    "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
]


def shared_files() -> list[str]:
    """The API modules media/Dockerfile copies into the image (its `COPY chalicelib/...`)."""
    files: list[str] = []
    for line in (ROOT / "media" / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY chalicelib/"):
            files.extend(line.split()[1:-1])
    return files


def _allow_recordings_key(
    task: ecs.TaskDefinition,
    storage: Storage,
    sid: str,
    actions: list[str],
    conditions: dict[str, Any],
) -> None:
    """Let the task use the recordings key for ``actions`` under ``conditions``, in its
    role's policy and in the key's own policy (both must allow)."""
    task.add_to_task_role_policy(
        iam.PolicyStatement(
            actions=actions, resources=[storage.recordings_key.key_arn], conditions=conditions
        )
    )
    storage.recordings_key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=sid,
            principals=[task.task_role],
            actions=actions,
            resources=["*"],  # in a key policy "*" is this key
            conditions=conditions,
        )
    )


def coturn_arguments(realm: str, allowed_peers: str) -> str:
    """turnserver's command line; the secret comes from the task's environment."""
    denied = " ".join(f"--denied-peer-ip={r}" for r in DENIED_PEER_RANGES)
    return (
        "exec turnserver -n --log-file=stdout --no-cli --fingerprint --use-auth-secret"
        ' --static-auth-secret="$TURN_SECRET"'
        f" --realm={realm} --listening-port={TURN_PORT}"
        f" --min-port={TURN_RELAY_PORTS[0]} --max-port={TURN_RELAY_PORTS[1]}"
        " --external-ip=$(detect-external-ip) --no-multicast-peers --no-tls --no-dtls"
        " --stale-nonce=600 --user-quota=12 --total-quota=1200"
        f" {denied} --allowed-peer-ip={allowed_peers}"
    )


class Media(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        stage: StageConfig,
        storage: Storage,
        zone: route53.IHostedZone,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)
            ],
        )
        flow_logs = log_group(self, "FlowLogs", stage, storage, removal=OPERATIONAL_LOGS)
        self.vpc.add_flow_log(
            "FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs)
        )
        udp_low, udp_high = (int(p) for p in stage.media_udp_ports.split("-"))
        nodes = ec2.SecurityGroup(self, "Nodes", vpc=self.vpc, description="SFU and TURN nodes")
        nodes.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.udp(TURN_PORT), "TURN over UDP")
        nodes.add_ingress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.udp_range(*TURN_RELAY_PORTS), "TURN relay ports"
        )
        nodes.add_ingress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.udp_range(udp_low, udp_high), "SFU media (ICE)"
        )
        nodes.add_ingress_rule(
            ec2.Peer.ipv4(self.vpc.vpc_cidr_block), ec2.Port.tcp(MEDIA_PORT), "NLB to the SFU"
        )
        nodes.add_ingress_rule(
            ec2.Peer.ipv4(self.vpc.vpc_cidr_block), ec2.Port.tcp(TURN_PORT), "NLB to coturn"
        )
        nodes.connections.allow_internally(
            ec2.Port.tcp(MEDIA_PORT), "SFU to SFU: a room's signalling relayed to its node"
        )
        suppress(
            nodes,
            ("AwsSolutions-EC23", "TURN and WebRTC media must be reachable from any client."),
            ("CKV_AWS_260", "TURN and WebRTC media must be reachable from any client."),
        )
        self.cluster = ecs.Cluster(
            self, "Cluster", vpc=self.vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        group = autoscaling.AutoScalingGroup(
            self,
            "Instances",
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            associate_public_ip_address=True,
            instance_type=ec2.InstanceType(stage.media_instance_type),
            machine_image=ecs.EcsOptimizedImage.amazon_linux2023(ecs.AmiHardwareType.ARM),
            security_group=nodes,
            min_capacity=stage.media_min,
            max_capacity=stage.media_max,
            new_instances_protected_from_scale_in=True,
            require_imdsv2=True,
            block_devices=[
                autoscaling.BlockDevice(
                    device_name="/dev/xvda",
                    volume=autoscaling.BlockDeviceVolume.ebs(30, encrypted=True),
                )
            ],
        )
        self.group = group
        provider = ecs.AsgCapacityProvider(
            self,
            "Capacity",
            auto_scaling_group=group,
            enable_managed_termination_protection=True,
            enable_managed_scaling=True,
        )
        self.cluster.add_asg_capacity_provider(provider)
        suppress(
            group,
            ("AwsSolutions-AS3", "Scaling events reach the alarms through ECS, not ASG notices."),
            ("AwsSolutions-EC26", "The root volume is encrypted through the block device."),
            (
                "AwsSolutions-IAM4",
                "AmazonEC2ContainerServiceforEC2Role and "
                "AmazonSSMManagedInstanceCore are what the ECS agent and SSM need.",
            ),
            ("AwsSolutions-IAM5", "The ECS agent's managed policy names its own resources."),
            ("AwsSolutions-L1", "The instance-draining function is CDK's own."),
            ("CKV_AWS_88", "Media nodes take WebRTC and TURN traffic on their own public IP."),
            ("CKV_AWS_111", "The ECS agent's registration and log writes, as CDK grants them."),
        )
        strategy = [
            ecs.CapacityProviderStrategy(
                capacity_provider=provider.capacity_provider_name, weight=1
            )
        ]

        sfu = ecs.Ec2TaskDefinition(self, "Sfu", network_mode=ecs.NetworkMode.HOST)
        rooms = storage.tables["rooms"]
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:Query"], resources=[rooms.attr_arn]
            )
        )
        # Admission reads the sign-in; the fleet: this node's registry item (heartbeat),
        # and where a room is placed and its node's private URL (relaying the room there).
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem"],
                resources=[
                    storage.tables[name].attr_arn
                    for name in (SESSIONS_TABLE, ROOM_PLACEMENTS_TABLE, MEDIA_NODES_TABLE)
                ],
            )
        )
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[storage.tables[MEDIA_NODES_TABLE].attr_arn],
            )
        )
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[storage.data_key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"dynamodb.{stack.region}.amazonaws.com"}
                },
            )
        )
        # Recordings: read both sides' consent, the booking's parties and a grant; write
        # a recording's item; create (never delete) an owner's key; multipart upload and
        # playback of the encrypted objects.
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem"],
                resources=[
                    storage.tables[name].attr_arn
                    for name in (
                        BOOKINGS_TABLE,
                        RECORDING_CONSENTS_TABLE,
                        RECORDING_GRANTS_TABLE,
                        RECORDINGS_TABLE,
                        RECORDING_KEYS_TABLE,
                    )
                ],
            )
        )
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem"],
                resources=[
                    storage.tables[RECORDINGS_TABLE].attr_arn,
                    storage.tables[RECORDING_KEYS_TABLE].attr_arn,
                ],
            )
        )
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                resources=[storage.recordings.arn_for_objects("*")],
            )
        )
        # The owners' data keys: generated and unwrapped under the recordings key, only
        # with the recordings purpose and an owner id in the encryption context.
        owner_key_context = {
            "StringEquals": {"kms:EncryptionContext:purpose": RECORDING_PURPOSE},
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["owner_id", "purpose"]},
        }
        _allow_recordings_key(
            sfu,
            storage,
            "SfuWrapsOwnerRecordingKeys",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            owner_key_context,
        )
        recordings_context = {
            "StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"},
            "StringLike": {
                "kms:EncryptionContext:aws:s3:arn": f"arn:{stack.partition}:s3:::"
                f"{storage.recordings_bucket_name}/*"
            },
        }
        # Decrypt: S3 needs it for multipart uploads and reads of SSE-KMS objects.
        _allow_recordings_key(
            sfu,
            storage,
            "SfuWritesRecordingsThroughS3",
            ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"],
            recordings_context,
        )
        sfu.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"],
                resources=[
                    stack.format_arn(
                        service="ecs",
                        resource="task",
                        resource_name=f"{self.cluster.cluster_name}/*",
                    )
                ],
            )
        )
        sfu_logs = log_group(self, "SfuLogs", stage, storage, removal=OPERATIONAL_LOGS)
        sfu.add_container(
            "sfu",
            image=ecs.ContainerImage.from_asset(
                str(ROOT),
                file="media/Dockerfile",
                platform=ecr_assets.Platform.LINUX_ARM64,
                # The media server and the API modules its Dockerfile copies.
                exclude=["*", "!media", "!media/**", *(f"!{path}" for path in shared_files())],
            ),
            memory_reservation_mib=1024,
            port_mappings=[ecs.PortMapping(container_port=MEDIA_PORT)],
            environment={
                "VETPET_MEDIA_HOST": "0.0.0.0",  # noqa: S104 - host networking: the node's interfaces
                "VETPET_MEDIA_PORT": str(MEDIA_PORT),
                "VETPET_MEDIA_UDP_PORTS": stage.media_udp_ports,
                # Shared by every node; each finds its own public and private IP (IMDSv2).
                "VETPET_MEDIA_SIGNALLING_URL": stage.media_signalling_url,
                "VETPET_TOKEN_ISSUER": stage.issuer,
                "VETPET_JWKS_URL": stage.jwks_url,
                "VETPET_STAGE": stage.name,
                "VETPET_TABLE_PREFIX": f"vetpet-{stage.name}-",
                "VETPET_RECORDINGS_BUCKET": storage.recordings.bucket_name,
                "VETPET_RECORDINGS_KEY_ARN": storage.recordings_key.key_arn,
                "AWS_DEFAULT_REGION": stack.region,
            },
            health_check=ecs.HealthCheck(
                command=[
                    "CMD",
                    "python",
                    "-c",
                    f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{MEDIA_PORT}/health')",
                ],
                interval=Duration.seconds(10),
                timeout=Duration.seconds(3),
                retries=3,
            ),
            logging=ecs.LogDriver.aws_logs(stream_prefix="sfu", log_group=sfu_logs),
            readonly_root_filesystem=True,
        )
        self.sfu_service = ecs.Ec2Service(
            self,
            "SfuService",
            cluster=self.cluster,
            task_definition=sfu,
            desired_count=stage.media_min,
            capacity_provider_strategies=strategy,
            placement_constraints=[ecs.PlacementConstraint.distinct_instances()],
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            min_healthy_percent=50,
        )
        suppress(
            self.sfu_service,
            ("W3005", "CDK adds an explicit DependsOn on the target group's listener."),
        )
        scaling = self.sfu_service.auto_scale_task_count(
            min_capacity=stage.media_min, max_capacity=stage.media_max
        )
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)

        turn = ecs.Ec2TaskDefinition(self, "Turn", network_mode=ecs.NetworkMode.HOST)
        turn.add_container(
            "coturn",
            image=ecs.ContainerImage.from_registry(COTURN_IMAGE),
            memory_reservation_mib=256,
            entry_point=["sh", "-c"],
            command=[coturn_arguments(stage.turn_domain, self._vpc_range())],
            secrets={"TURN_SECRET": ecs.Secret.from_secrets_manager(storage.turn_secret)},
            port_mappings=[
                ecs.PortMapping(container_port=TURN_PORT, protocol=ecs.Protocol.UDP),
                ecs.PortMapping(container_port=TURN_PORT, protocol=ecs.Protocol.TCP),
            ],
            health_check=ecs.HealthCheck(
                command=["CMD-SHELL", f"turnutils_stunclient -p {TURN_PORT} 127.0.0.1 || exit 1"],
                interval=Duration.seconds(15),
                timeout=Duration.seconds(3),
                retries=3,
            ),
            logging=ecs.LogDriver.aws_logs(
                stream_prefix="coturn",
                log_group=log_group(self, "TurnLogs", stage, storage, removal=OPERATIONAL_LOGS),
            ),
        )
        ecs.Ec2Service(
            self,
            "TurnService",
            cluster=self.cluster,
            task_definition=turn,
            daemon=True,  # one coturn per node, beside the SFU
            min_healthy_percent=0,  # a daemon task is replaced in place on each node
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
        )
        for task in (sfu, turn):
            suppress(
                task,
                (
                    "AwsSolutions-ECS2",
                    "Environment values are names and URLs; the one secret "
                    "comes from Secrets Manager.",
                ),
                ("AwsSolutions-IAM5", "Task ARNs of this cluster; recordings objects by prefix."),
                ("CKV_AWS_249", "Execution and task roles are separate roles CDK creates."),
            )

        self._load_balancers(stage, zone, storage)

    def _vpc_range(self) -> str:
        """The VPC's own range: TURN may relay to the SFU nodes, nowhere else private."""
        return "10.0.0.0-10.0.255.255"  # ec2.Vpc's default CIDR, 10.0.0.0/16

    def _load_balancers(
        self, stage: StageConfig, zone: route53.IHostedZone, storage: Storage
    ) -> None:
        stack = Stack.of(self)
        storage.log_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
                actions=["s3:GetBucketAcl"],
                resources=[storage.log_bucket.bucket_arn],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        for name, domain, port, listen in (
            ("Media", stage.media_domain, MEDIA_PORT, elbv2.Protocol.TLS),
            ("Turn", stage.turn_domain, TURN_PORT, elbv2.Protocol.TLS),
        ):
            certificate = acm.Certificate(
                self,
                f"{name}Certificate",
                domain_name=domain,
                validation=acm.CertificateValidation.from_dns(zone),
            )
            balancer = elbv2.NetworkLoadBalancer(
                self,
                f"{name}Balancer",
                vpc=self.vpc,
                internet_facing=True,
                cross_zone_enabled=True,
            )
            # The L2 helper needs a concrete region; the attributes do the same.
            prefix = f"nlb-{name.lower()}"
            balancer.set_attribute("access_logs.s3.enabled", "true")
            balancer.set_attribute("access_logs.s3.bucket", storage.log_bucket.bucket_name)
            balancer.set_attribute("access_logs.s3.prefix", prefix)
            storage.log_bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
                    actions=["s3:PutObject"],
                    resources=[
                        storage.log_bucket.arn_for_objects(f"{prefix}/AWSLogs/{stack.account}/*")
                    ],
                    conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
                )
            )
            listener = balancer.add_listener(
                f"{name}Tls",
                port=443,
                protocol=listen,
                certificates=[elbv2.ListenerCertificate.from_certificate_manager(certificate)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            )
            target = (
                self.sfu_service.load_balancer_target(container_name="sfu", container_port=port)
                if name == "Media"
                else None
            )
            if target is not None:
                listener.add_targets(
                    "Sfu",
                    port=port,
                    protocol=elbv2.Protocol.TCP,
                    targets=[target],
                    health_check=elbv2.HealthCheck(path="/health", protocol=elbv2.Protocol.HTTP),
                )
            else:
                listener.add_targets(
                    "Coturn", port=port, protocol=elbv2.Protocol.TCP, targets=[self.group]
                )
                balancer.add_listener(
                    "TurnUdp", port=TURN_PORT, protocol=elbv2.Protocol.UDP
                ).add_targets(
                    "CoturnUdp",
                    port=TURN_PORT,
                    protocol=elbv2.Protocol.UDP,
                    targets=[self.group],
                    health_check=elbv2.HealthCheck(
                        protocol=elbv2.Protocol.TCP, port=str(TURN_PORT)
                    ),
                )
            route53.ARecord(
                self,
                f"{name}Record",
                zone=zone,
                record_name=domain,
                target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(balancer)),
            )
