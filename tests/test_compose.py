"""docker-compose.yml, read as YAML: the stack's contract, without a Docker engine.

``.ci/run`` asks docker-compose whether the file is valid; these tests pin what
it must say: the services, the order they start in, one image for every app
role, and no secret written in the file (DESIGN §10).
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APP_ROLES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_the_stack_has_its_services_and_one_image_for_every_app_role(services):
    assert set(services) == {"postgres", "redis", "mailpit", *APP_ROLES}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert {services[role]["image"] for role in APP_ROLES} == {"orderly:latest"}
    for role in APP_ROLES:
        assert services[role]["build"]["dockerfile"] == "docker/Dockerfile"
        assert services[role]["command"] == [role]


def test_app_roles_start_after_the_migration_on_healthy_services(services):
    assert services["migrate"]["restart"] == "no"
    for role in ("web", "worker", "beat"):
        after = services[role]["depends_on"]
        assert after["migrate"] == {"condition": "service_completed_successfully"}
        assert after["postgres"] == {"condition": "service_healthy"}
        assert after["redis"] == {"condition": "service_healthy"}
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert "/health/ready/" in " ".join(services["web"]["healthcheck"]["test"])
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_app_roles_run_production_settings_with_mail_to_mailpit(services):
    for role in APP_ROLES:
        environment = services[role]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["EMAIL_URL"] == "smtp://mailpit:1025"
        assert services[role]["env_file"] == ".env"


def test_no_password_is_written_in_the_file(services):
    """Passwords come from .env, required (``${VAR:?...}``), never a default."""
    reference = re.compile(r"\$\{([A-Z_]+)([^}]*)\}")
    secret = re.compile("PASSWORD|SECRET|KEY|TOKEN|DSN")
    for name, service in services.items():
        for variable, value in (service.get("environment") or {}).items():
            value = str(value)
            for referenced, how in reference.findall(value):
                if secret.search(referenced):
                    assert how.startswith(":?"), (name, variable, value)
            if secret.search(variable):
                assert reference.fullmatch(value), (name, variable, value)
            # A URL's credentials: nothing but references, or no password.
            for credentials in re.findall(r"://([^@/]*)@", value):
                literal = reference.sub("", credentials)
                assert literal.partition(":")[2] == "", (name, variable)
