"""The Dockerfile and the Helm chart: linted, rendered with Helm's own engine (the Go SDK via
helm-python-sdk) and every manifest validated against the Kubernetes schemas, with default
values and with a production-like values file. All offline."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from helm_python import Chart, HelmError, lint

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "wikibot"
PRODUCTION = yaml.safe_load((CHART / "ci" / "production-values.yaml").read_text())
KUBERNETES = "1.33.0"


def test_dockerfile_lints_clean() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run(
        [str(hadolint), str(REPO / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_installs_what_ci_installs() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    pin = re.search(r"torch==([\d.]+)", ci)
    assert pin and f"torch=={pin.group(1)}" in dockerfile  # the same CPU torch, first
    assert "pip install ." in dockerfile  # the project's own pyproject.toml
    assert re.search(r"^USER 10001", dockerfile, re.M)  # non-root
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert dockerfile.rstrip().endswith('CMD ["serve"]')


def _render(values: dict[str, Any]) -> list[dict[str, Any]]:
    rendered = Chart.load(CHART).render(values, name="wikibot", namespace="wikibot")
    docs = []
    for path, text in rendered.items():
        if path.endswith(".yaml"):
            docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


@pytest.mark.parametrize("values", [{}, PRODUCTION], ids=["defaults", "production"])
def test_chart_renders_valid_kubernetes_manifests(values: dict[str, Any]) -> None:
    docs = _render(values)
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "ConfigMap", "ServiceAccount"} <= kinds
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["terminationGracePeriodSeconds"] > 25  # longer than the app's drain
    config = next(
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "wikibot"
    )
    assert config["data"]["WIKIBOT_SERVER__PRODUCTION"] == "true"
    if values:
        assert {"HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "CronJob"} <= kinds
        assert config["data"]["WIKIBOT_SERVER__REPLICAS"] == "8"  # the HPA's maximum
        assert "replicas" not in deployment["spec"]  # the HPA owns it
        cron = next(d for d in docs if d["kind"] == "CronJob")
        job = cron["spec"]["jobTemplate"]["spec"]["template"]
        assert job["spec"]["containers"][0]["args"] == ["sync"]
        assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "sync"
        secret_refs = [e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e]
        assert secret_refs == ["wikibot-secrets"]
        files = next(d for d in docs if d["metadata"]["name"] == "wikibot-files")
        assert yaml.safe_load(files["data"]["sources.yaml"])["sources"][0]["name"] == "eng-wiki"
    else:
        assert "CronJob" not in kinds  # no sources, nothing to sync


def test_chart_lints_and_refuses_unsafe_values() -> None:
    report = lint(CHART, strict=True)
    assert not report["errors"], report
    with pytest.raises(HelmError, match="minimum: got 0"):
        _render({"replicaCount": 0})  # values.schema.json
    with pytest.raises(HelmError, match="invalid propertyName 'token'"):  # no inline secrets
        _render({"sources": [{"name": "w", "type": "confluence", "token": "abc"}]})
    with pytest.raises(HelmError, match=r"qdrant\.url is required"):
        _render({"qdrant": {"url": ""}})
    with pytest.raises(HelmError, match="more than one replica needs Redis"):
        _render({"replicaCount": 2, "redis": {"url": ""}})


def test_the_chart_accepts_exactly_the_source_types_of_the_sources_file() -> None:
    from connectors.sources_file import _SECRET_FIELDS, _TYPES

    schema = json.loads((CHART / "values.schema.json").read_text())
    item = schema["properties"]["sources"]["items"]
    assert set(item["properties"]["type"]["enum"]) == set(_TYPES)
    assert set(item["propertyNames"]["not"]["enum"]) == _SECRET_FIELDS


SHAREPOINT = {
    "name": "hr-site",
    "type": "sharepoint",
    "tenant_id": "00000000-0000-0000-0000-000000000000",
    "client_id": "11111111-1111-1111-1111-111111111111",
    "client_secret_env": "SHAREPOINT_SECRET",
    "sites": ["acme.sharepoint.com:/sites/hr"],
}
DOCS_VOLUME = {"name": "docs", "persistentVolumeClaim": {"claimName": "handbook", "readOnly": True}}
DOCS_MOUNT = {"name": "docs", "mountPath": "/docs", "readOnly": True}


def test_a_sharepoint_source_and_a_mounted_folder_render(tmp_path: Path) -> None:
    from connectors.sources_file import SharePointSource, load_sources

    folder = {"name": "handbook", "type": "folder", "path": "/docs/handbook"}
    docs = _render(
        {
            "sources": [SHAREPOINT, folder],
            "extraVolumes": [DOCS_VOLUME],
            "extraVolumeMounts": [DOCS_MOUNT],
        }
    )
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    files = next(d for d in docs if d["metadata"]["name"] == "wikibot-files")
    rendered = yaml.safe_load(files["data"]["sources.yaml"])
    assert rendered["sources"] == [SHAREPOINT, folder]
    # what the chart writes, the bot reads (the folder exists only in the pod)
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"sources": [SHAREPOINT]}))
    (source,) = load_sources(tmp_path / "sources.yaml", env={"SHAREPOINT_SECRET": "s"})
    assert isinstance(source, SharePointSource) and source.sites == SHAREPOINT["sites"]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    job = next(d for d in docs if d["kind"] == "CronJob")["spec"]["jobTemplate"]["spec"]
    for pod in (deployment["spec"]["template"]["spec"], job["template"]["spec"]):
        assert DOCS_VOLUME in pod["volumes"]  # the bot (/wikibot reindex) and the sync job
        assert DOCS_MOUNT in pod["containers"][0]["volumeMounts"]


def test_notes_print_only_what_is_configured() -> None:
    def notes(values: dict[str, Any]) -> str:
        return Chart.load(CHART).render(values, name="wikibot", namespace="wikibot")[
            "wikibot/templates/NOTES.txt"
        ]

    plain = notes({})
    assert "example.com" not in plain and "https://" not in plain  # the Ingress is off
    assert "No Ingress" in plain and "no sources" in plain.lower()
    production = notes(PRODUCTION)
    assert "https://wikibot.acme.com/slack/events" in production
    assert "https://wikibot.acme.com/api/messages" in production  # teams.appId is set
    without_teams = notes({**PRODUCTION, "teams": {"appId": ""}})
    assert "/api/messages" not in without_teams
    assert "create job --from=cronjob/wikibot-sync" in production


def test_the_schema_validator_catches_a_broken_manifest() -> None:
    deployment = next(d for d in _render({}) if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 3
    deployment["spec"]["replicaz"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_slack_manifests_socket_mode_first_and_http_alike() -> None:
    import yaml

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    socket = yaml.safe_load((deploy / "slack-app-manifest.yaml").read_text())
    http = yaml.safe_load((deploy / "slack-app-manifest-http.yaml").read_text())
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    assert http["settings"]["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert http["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert http["features"]["slash_commands"][0]["url"].endswith("/slack/events")
    # the same bot either way: scopes and events
    assert socket["oauth_config"] == http["oauth_config"]
    events = socket["settings"]["event_subscriptions"]["bot_events"]
    assert events == http["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_mention", "message.im"} <= set(events)
    scopes = set(socket["oauth_config"]["scopes"]["bot"])
    assert "users:read.email" in scopes
    # every kind of conversation the bot may sit in: its messages and its history
    kinds = {"channels": "message.channels", "groups": "message.groups", "mpim": "message.mpim"}
    for kind, event in kinds.items():
        assert event in events and f"{kind}:history" in scopes and f"{kind}:read" in scopes
    # Slack as an AI app: the agent pane (agent_view; assistant_view is deprecated), its
    # events and scope, the same in both
    assert {"assistant_thread_started", "assistant_thread_context_changed"} <= set(events)
    assert "assistant:write" in scopes
    assert "assistant_view" not in socket["features"] and "assistant_view" not in http["features"]
    assert socket["features"]["agent_view"] == http["features"]["agent_view"]
    view = socket["features"]["agent_view"]
    assert 0 < len(view["agent_description"]) <= 300
    assert all(set(p) == {"title", "message"} for p in view["suggested_prompts"])


def test_compose_file_runs_the_image_with_redis_and_a_sources_file() -> None:
    import yaml

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    compose = yaml.safe_load((deploy / "docker-compose.yaml").read_text())
    bot, redis = compose["services"]["wikibot"], compose["services"]["redis"]
    assert bot["build"] == ".." and (deploy.parent / "Dockerfile").exists()
    assert bot["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert redis["image"].startswith("redis:")
    mounted = {v.split(":")[1] for v in bot["volumes"] if v.startswith("./")}
    assert bot["environment"]["WIKIBOT_SOURCES_FILE"] in mounted
    assert "wikibot-data:/data" in bot["volumes"]  # the image's WIKIBOT_DATA_DIR
