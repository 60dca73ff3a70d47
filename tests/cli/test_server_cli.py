"""``xiezuo db upgrade``, ``xiezuo users`` and ``xiezuo serve``'s checks before it starts."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.services.accounts import user_by_token
from xiezuo.storage.database import make_engine, session_factory

runner = CliRunner(env={"COLUMNS": "1000", "XIEZUO_DATABASE": ""})


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_db_upgrade_without_settings_makes_xiezuo_db_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, output = invoke("db", "upgrade")
    assert code == 0
    assert (tmp_path / "xiezuo.db").is_file()
    assert "up to date" in output


def test_the_database_comes_from_xiezuo_database_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    result = runner.invoke(app, ["db", "upgrade"], env={"XIEZUO_DATABASE": url})
    assert result.exit_code == 0
    assert (tmp_path / "other.db").is_file()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nonsense://x", "not a database URL"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/x", "cannot use the database"),
    ],
)
def test_a_database_that_cannot_be_used_is_bad_input(url, reason):
    code, output = invoke("db", "upgrade", "--database", url)
    assert code == 2
    assert reason in output


def test_users_add_prints_a_token_that_signs_the_user_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, output = invoke(
        "users", "add", "li", "--role", "plant", "--plant", "WJ", "--database", url
    )
    assert code == 0
    token = output.strip().splitlines()[-1]
    engine = make_engine(url)
    with session_factory(engine)() as session:
        user = user_by_token(session, token)
        assert user is not None
        assert (user.name, user.role, user.plant_id) == ("li", "plant", "WJ")
    engine.dispose()
    code, listed = invoke("users", "list", "--database", url)
    assert "li" in listed
    assert token not in listed


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--role", "plant"), "needs the plant"),
        (("--role", "viewer", "--plant", "WJ"), "not tied to a plant"),
        (("--role", "boss"), "'boss' is not one of"),
    ],
)
def test_users_add_refuses_a_bad_role_or_plant(tmp_path, args, expected):
    code, output = invoke(
        "users", "add", "li", *args, "--database", f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert code == 2
    assert expected in output


def test_a_name_is_taken_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    invoke("users", "add", "li", "--role", "viewer", "--database", url)
    code, output = invoke("users", "add", "li", "--role", "planner", "--database", url)
    assert code == 2
    assert "already a user 'li'" in output


def test_a_new_token_replaces_the_old_and_removing_a_user_ends_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    old = invoke("users", "add", "li", "--role", "viewer", "--database", url)[1].split()[-1]
    new = invoke("users", "token", "li", "--database", url)[1].split()[-1]
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert user_by_token(session, old) is None
        assert user_by_token(session, new) is not None
    assert invoke("users", "remove", "li", "--database", url)[0] == 0
    with session_factory(engine)() as session:
        assert user_by_token(session, new) is None
    engine.dispose()
    code, output = invoke("users", "remove", "li", "--database", url)
    assert code == 2
    assert "no user 'li'" in output


def test_serve_refuses_a_port_in_use_before_it_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = invoke(
            "serve", "--port", str(port), "--database", f"sqlite:///{tmp_path / 'x.db'}"
        )
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in output
    assert not (tmp_path / "x.db").exists()


@pytest.mark.slow  # a real server, solving the demo's first plan while it answers
def test_serve_demo_prints_tokens_that_work_and_starts_the_first_plan(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with subprocess.Popen(
        [sys.executable, "-m", "xiezuo", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,  # no examples/ here: the demo finds the checkout's
        env={**os.environ, "PYTHONUNBUFFERED": "1", "XIEZUO_DATABASE": "", "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            lines = [server.stdout.readline() for _ in range(6)]
            token = next(
                line.split()[-1] for line in lines if line.startswith("  planner (planner)")
            )
            assert any(line.startswith("  wj (plant WJ) token: ") for line in lines)
            headers = {"Authorization": f"Bearer {token}"}
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    me = httpx.get(f"{base}/me", headers=headers)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            assert me.json()["role"] == "planner"
            job = httpx.get(f"{base}/networks/chongqing-1958/jobs/1", headers=headers).json()
            assert (job["kind"], job["status"]) in {("plan", "queued"), ("plan", "running")}
        finally:
            server.terminate()
            server.communicate(timeout=60)
    assert (tmp_path / "xiezuo.db").is_file()
